# Everything runs inside .venv, which this Makefile builds itself from the lock file.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
RUN := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DJANGO_SETTINGS_MODULE := tremplin.settings
# The demo's port: `make demo PORT=8080`.
PORT ?= 8000

.PHONY: install demo test serve check lint format typecheck importlint migrations-check bench clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(VENV)/bin/python --quiet
	touch $@

install: $(VENV)/.synced

## make demo: install, create the SQLite database, load the demo territories, serve on
## http://127.0.0.1:$(PORT) (8000 unless PORT=… says otherwise), in debug mode
demo: install
	$(RUN) -m tremplin migrate --no-input
	$(RUN) -m tremplin demo
	$(RUN) -m tremplin demo --logins --address http://127.0.0.1:$(PORT)
	@echo "Tremplin (démonstration, mode debug) : http://127.0.0.1:$(PORT)/"
	$(RUN) -m tremplin runserver 127.0.0.1:$(PORT)

## make test: install and run the whole test suite (SQLite unless DATABASE_URL says otherwise)
test: install
	$(RUN) -m pytest $(PYTEST_ARGS)

check: lint typecheck importlint migrations-check

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: install
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

typecheck: install
	$(VENV)/bin/mypy

importlint: install
	$(VENV)/bin/lint-imports

migrations-check: install
	$(RUN) -m tremplin makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles
