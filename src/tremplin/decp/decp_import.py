"""Import of DECP files: receive a file (upload page or command line), read it as a
stream, clean each record and write them by batches.

1. ``decp_import_receive`` checks an uploaded file (size, JSON) and keeps it;
   ``decp_import_from_path`` does the same for a file on the server (the command).
2. ``decp_import_launch`` queues the import for the background worker (django-tasks).
3. ``decp_import_run`` reads the file once to count its records (a file that cannot be
   read to its end is refused whole: nothing is written), then again to clean each
   record (``normalise``) and write them by batches (``services.import_records``). Each
   record is created, updated, left unchanged or rejected with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django_tasks import task

from tremplin.core.uploads import sha256_of, size_text
from tremplin.decp import normalise as normaliser
from tremplin.decp import selectors, services
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport
from tremplin.decp.reader import DecpFileError, read_records
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, User

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
FAILURE_MESSAGE = (
    "Une erreur inattendue a interrompu l'import. Les enregistrements déjà écrits sont "
    "complets : renvoyez le même fichier, ils resteront inchangés et les autres seront "
    "importés. Si l'erreur revient, transmettez le fichier à l'équipe qui administre Tremplin."
)


def max_bytes() -> int:
    return int(getattr(settings, "DECP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# Receiving a file -------------------------------------------------------------------------


def _check_network(scope: UserScope, network: Network) -> None:
    if network.pk not in selectors.importer_network_ids(scope):
        raise ValidationError({"network": "Vous n'importez pas de données pour ce réseau."})


def decp_import_receive(
    *, actor: User, scope: UserScope, network: Network, file: Any
) -> DecpImport:
    """Check an uploaded file and keep it. Raises ValidationError (``file``, ``network``)."""
    _check_network(scope, network)
    size = int(getattr(file, "size", 0) or 0)
    if not size:
        raise ValidationError({"file": "Le fichier est vide."})
    if size > max_bytes():
        raise ValidationError(
            {
                "file": f"Le fichier pèse {size_text(size)} : la limite est de "
                f"{size_text(max_bytes())}. Importez les très gros fichiers en ligne de "
                "commande (python -m tremplin import-decp)."
            }
        )
    file.seek(0)
    try:
        # The reader refuses at once what is not DECP JSON, with a message for the user.
        next(read_records(file), None)
    except DecpFileError as error:
        raise ValidationError({"file": error.message}) from error
    file.seek(0)
    name = PurePath(str(file.name)).name
    return services.decp_import_create(
        network=network,
        actor=actor,
        file_name=name,
        file_size=size,
        file_hash=sha256_of(file),
        file=file,
    )


def decp_import_from_path(*, network: Network, path: Path, actor: User | None = None) -> DecpImport:
    """Record a file of the server to import (the command reads it where it is)."""
    with path.open("rb") as stream:
        digest = sha256_of(stream)
    return services.decp_import_create(
        network=network,
        actor=actor,
        file_name=path.name,
        file_size=path.stat().st_size,
        file_hash=digest,
        source_path=str(path.resolve()),
    )


def decp_import_launch(*, decp_import: DecpImport) -> DecpImport:
    """Queue the import for the background worker (run at once by the immediate backend)."""
    result = run_decp_import.enqueue(decp_import.pk)
    services.decp_import_set_task(decp_import, str(result.id))
    decp_import.refresh_from_db()
    return decp_import


@task()
def run_decp_import(import_id: int) -> str:
    """The background task of an import (run by ``python -m tremplin db_worker``)."""
    decp_import = DecpImport.objects.select_related("network", "created_by").get(pk=import_id)
    return decp_import_run(decp_import=decp_import).status


# Running an import --------------------------------------------------------------------------


@contextmanager
def _open(decp_import: DecpImport) -> Iterator[IO[bytes]]:
    if decp_import.source_path:
        with open(decp_import.source_path, "rb") as stream:
            yield stream
    else:
        with decp_import.file.open("rb") as stored:
            yield stored  # type: ignore[misc]


def _count(decp_import: DecpImport) -> int:
    """Read the whole file once: a broken file is refused before anything is written."""
    with _open(decp_import) as stream:
        return sum(1 for _ in read_records(stream))


def decp_import_run(*, decp_import: DecpImport) -> DecpImport:
    """Import the file. Never raises: the outcome is the import's status and counts."""
    if decp_import.status != DecpImportStatus.WAITING:
        return decp_import
    try:
        total = _count(decp_import)
    except DecpFileError as error:
        if services.decp_import_claim(decp_import, records_total=0):
            services.decp_import_finish(decp_import, error=f"{error.message} Rien n'a été importé.")
        return decp_import
    except OSError:
        logger.exception("Import DECP n° %s : fichier introuvable", decp_import.pk)
        if services.decp_import_claim(decp_import, records_total=0):
            services.decp_import_finish(
                decp_import, error="Le fichier est introuvable : rien n'a été importé."
            )
        return decp_import
    if not services.decp_import_claim(decp_import, records_total=total):
        return decp_import  # already run (a task delivered twice)
    error = ""
    try:
        with _open(decp_import) as stream:
            services.import_records(decp_import, normaliser.normalise_file(stream))
    except DecpFileError as failure:
        error = f"Fichier illisible : {failure.message}"
    except Exception:
        logger.exception("Import DECP n° %s interrompu", decp_import.pk)
        error = FAILURE_MESSAGE
    return services.decp_import_finish(decp_import, error=error)
