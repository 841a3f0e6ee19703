"""Import of DECP files: receive a file (upload page or command line), read it as a
stream, clean each record and write them by batches.

1. ``decp_import_receive`` checks an uploaded file (size, JSON) and keeps it;
   ``decp_import_from_path`` does the same for a file on the server (the command).
2. ``decp_import_launch`` queues the import for the background worker (django-tasks).
3. ``decp_import_run`` reads the file once to count its records (a file that cannot be
   read to its end, or past the reader's limits, is refused whole: nothing is written),
   then again to clean each record (``normalise``) and write them by batches
   (``services.import_records``). Each record is created, updated, left unchanged or
   rejected with its reason.
4. ``decp_import_recover`` finds imports whose worker died (``core.recovery``) and runs
   them again, or closes them as failed after ``IMPORT_MAX_ATTEMPTS`` runs. A batch is
   written with the import's counts in one transaction, so ``records_read`` is exactly
   what is written: the next run skips that many records of the file and goes on, and no
   record is written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django_tasks import task

from tremplin.core import recovery
from tremplin.core.templatetags.french import number
from tremplin.core.uploads import sha256_of, size_text
from tremplin.decp import normalise as normaliser
from tremplin.decp import selectors, services
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport
from tremplin.decp.reader import DecpFileError, Limits, read_records
from tremplin.organisations.access import UserScope
from tremplin.organisations.models import Network, User

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
FAILURE_MESSAGE = (
    "Une erreur inattendue a interrompu l'import. Les enregistrements déjà écrits sont "
    "complets : renvoyez le même fichier, ils resteront inchangés et les autres seront "
    "importés. Si l'erreur revient, transmettez le fichier à l'équipe qui administre Tremplin."
)


STOPPED_TOO_OFTEN = (
    "Le traitement de l'import s'est arrêté sans finir {attempts} fois (serveur redémarré "
    "ou processus interrompu). {written} Renvoyez le même fichier : les enregistrements "
    "déjà écrits resteront inchangés et les autres seront importés. Si l'arrêt se répète, "
    "transmettez le fichier à l'équipe qui administre Tremplin."
)
WAITED_TOO_LONG = (
    "Aucun traitement de fond n'a pris cet import en charge depuis {hours} heures : rien "
    "n'a été importé. L'équipe qui administre Tremplin doit vérifier que le traitement "
    "de fond (python -m tremplin db_worker) fonctionne ; renvoyez ensuite le fichier."
)
FILE_CHANGED = (
    "Le fichier a changé depuis le début de l'import, interrompu en cours de route : les "
    "enregistrements déjà écrits restent. Importez le nouveau fichier dans un nouvel import."
)


def max_bytes() -> int:
    return int(getattr(settings, "DECP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def reader_limits() -> Limits:
    """What a file may cost the reader (settings ``DECP_IMPORT_MAX_…``)."""
    default = Limits()
    return Limits(
        max_depth=int(getattr(settings, "DECP_IMPORT_MAX_DEPTH", default.max_depth)),
        max_number_digits=int(
            getattr(settings, "DECP_IMPORT_MAX_NUMBER_DIGITS", default.max_number_digits)
        ),
        max_string_bytes=int(
            getattr(settings, "DECP_IMPORT_MAX_STRING_BYTES", default.max_string_bytes)
        ),
    )


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
        next(read_records(file, reader_limits()), None)
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


def _count(decp_import: DecpImport, alive: Callable[[], None]) -> int:
    """Read the whole file once: a broken file is refused before anything is written."""
    total = 0
    with _open(decp_import) as stream:
        for _record in read_records(stream, reader_limits()):
            total += 1
            if not total % 1000:
                alive()
    return total


def _same_file(decp_import: DecpImport) -> bool:
    with _open(decp_import) as stream:
        return sha256_of(stream) == decp_import.file_hash


def decp_import_run(*, decp_import: DecpImport) -> DecpImport:
    """Import the file, or go on with it after the records an interrupted run wrote.
    Never raises: the outcome is the import's status and counts."""
    if decp_import.status != DecpImportStatus.WAITING:
        return decp_import
    if not services.decp_import_claim(decp_import):
        return decp_import  # another run has it (a task delivered twice)
    written = decp_import.records_read  # by a run that died: kept, skipped in the file
    counted = False
    error = ""
    try:
        if written and not _same_file(decp_import):
            return services.decp_import_finish(decp_import, error=FILE_CHANGED)
        total = _count(
            decp_import, recovery.Heartbeat(lambda: services.decp_import_beat(decp_import))
        )
        counted = True
        services.decp_import_beat(decp_import, records_total=total)
        # The counting pass has just read every byte of this very file through the
        # guard: the second reading skips it (a few microseconds per record).
        checked = reader_limits()._replace(check=False)
        with _open(decp_import) as stream:
            raws = islice(read_records(stream, checked), written, None)
            services.import_records(
                decp_import,
                (
                    normaliser.normalise(raw.data, raw.position, raw.kind, raw.version)
                    for raw in raws
                ),
                offset=written,
            )
    except services.ImportTakenBack:
        decp_import.refresh_from_db()
        return decp_import  # judged dead while it was slow: the next run goes on
    except DecpFileError as failure:
        if counted:
            error = f"Fichier illisible : {failure.message}"
        else:
            error = f"{failure.message} Rien n'a été importé."
    except OSError:
        logger.exception("Import DECP n° %s : fichier introuvable", decp_import.pk)
        error = "Le fichier est introuvable : rien n'a été importé."
    except Exception:
        logger.exception("Import DECP n° %s interrompu", decp_import.pk)
        error = FAILURE_MESSAGE
    return services.decp_import_finish(decp_import, error=error)


# Imports whose worker died ---------------------------------------------------------------


def decp_import_recover(*, only: DecpImport | None = None) -> list[str]:
    """Run again, or close as failed, the imports nobody works on any more (all of them, or
    ``only`` that one, when its page is viewed). Returns what was done, in French."""
    imports = DecpImport.objects.select_related("network", "created_by")
    if only is not None:
        imports = imports.filter(pk=only.pk)
    done: list[str] = []
    for found in recovery.abandoned(
        imports,
        running=[DecpImportStatus.RUNNING],
        queued=[DecpImportStatus.WAITING],
        task=run_decp_import,
    ):
        item = found.item
        name = f"Import DECP n° {item.pk} ({item.file_name})"
        if found.why is recovery.Why.WAITED_TOO_LONG:
            error = WAITED_TOO_LONG.format(hours=int(recovery.queued_max().total_seconds() // 3600))
        elif item.attempts >= recovery.max_attempts():
            error = STOPPED_TOO_OFTEN.format(attempts=item.attempts, written=_written(item))
        else:
            if recovery.take_back(DecpImport, item, status=DecpImportStatus.WAITING):
                written = _written(item)[:-1].lower()
                item.refresh_from_db()
                decp_import_launch(decp_import=item)
                done.append(f"{name} : relancé ({written}).")
            continue
        if recovery.take_back(DecpImport, item, status=DecpImportStatus.FAILED):
            services.decp_import_finish(item, error=error)
            done.append(f"{name} : marqué en échec.")
    return done


def decp_import_watched(decp_import: DecpImport) -> DecpImport:
    """The import as its page shows it, once checked that someone still works on it: a
    page that polls an import whose worker died never waits for ever."""
    if not decp_import.finished and decp_import_recover(only=decp_import):
        decp_import.refresh_from_db()
    return decp_import


def _written(item: DecpImport) -> str:
    if not item.records_read:
        return "Aucun enregistrement n'avait été écrit."
    if item.records_read == 1:
        return "1 enregistrement avait déjà été écrit."
    return f"{number(item.records_read)} enregistrements avaient déjà été écrits."
