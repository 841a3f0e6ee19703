"""Loading the shipped copy of ROME v3 (France Travail, Licence Ouverte)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rome_codes() -> list[dict[str, str]]:
    with (DATA_DIR / "rome_codes.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_rome_job_titles() -> list[dict[str, str]]:
    with (DATA_DIR / "rome_job_titles.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_rome(rome_code_model, job_title_model) -> None:  # type: ignore[no-untyped-def]
    """Insert or refresh every code and job title (idempotent)."""
    codes = [rome_code_model(**row) for row in read_rome_codes()]
    rome_code_model.objects.bulk_create(
        codes,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "label",
            "professional_domain_code",
            "professional_domain",
            "major_domain_code",
            "major_domain",
        ],
        batch_size=500,
    )
    titles = [
        job_title_model(
            code=int(row["job_title_code"]),
            title=row["job_title"],
            short_title=row["short_title"],
            rome_id=row["rome_code"],
        )
        for row in read_rome_job_titles()
    ]
    job_title_model.objects.bulk_create(
        titles,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["title", "short_title", "rome"],
        batch_size=500,
    )
