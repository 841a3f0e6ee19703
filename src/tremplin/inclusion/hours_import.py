"""Import of monthly hours from spreadsheets: validate the whole file, then write it all
or nothing.

1. ``hours_import_receive`` checks the file (size, kind), finds its header and recognises
   its columns with what the organisation chose before (``ColumnMapping``).
2. ``hours_import_set_columns`` records what a person chose for the columns nobody knew.
3. ``hours_import_launch`` runs the import at once, or in the background (django-tasks)
   when the file has more than ``settings.HOURS_IMPORT_BACKGROUND_ROWS`` rows.
4. ``hours_import_run`` reads the rows as a stream, checks each one against the rules of
   ``services`` (month inside the placement, not to come, hours not negative, no more
   than one person can work in the month counting the file and what is recorded), and
   when no row is wrong writes every month in one transaction, by batches: new months
   declared (or validated, when a facilitator asked for it), changed months updated and
   sent back to review, unchanged months left alone, each change in the history.

The placements a file may touch come from the scope: those the importing organisation
follows (a facilitator structure) or employs (a company, an inclusion employer). A row
pointing anywhere else is an unknown placement, whatever its number.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task

from tremplin.core import recovery
from tremplin.core.uploads import sha256_of, size_text
from tremplin.inclusion import selectors, services, spreadsheets
from tremplin.inclusion.enums import HoursImportStatus, HoursStatus
from tremplin.inclusion.models import (
    ColumnMapping,
    HoursEntry,
    HoursImport,
    InclusionEvent,
    Placement,
)
from tremplin.inclusion.spreadsheets import FIELDS, Header, HoursRow, RowError
from tremplin.organisations.access import UserScope, scope_for
from tremplin.organisations.enums import OrganisationKind
from tremplin.organisations.models import Organisation, User
from tremplin.procurement.models import Contract

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_BACKGROUND_ROWS = 5000
CHUNK_ROWS = 1000  # rows read between two progress reports
BATCH_SIZE = 1000  # rows written per INSERT or UPDATE
LOOKUP_BATCH = 500  # identifiers per IN (...) query
EMPLOYER_KINDS = (OrganisationKind.COMPANY, OrganisationKind.INCLUSION_EMPLOYER)
FAILURE_MESSAGE = (
    "Une erreur inattendue a interrompu l'import : rien n'a été enregistré. Réessayez, et "
    "si l'erreur revient, transmettez le fichier à l'équipe qui administre Tremplin."
)


STOPPED_TOO_OFTEN = (
    "Le traitement de l'import s'est arrêté sans finir {attempts} fois (serveur redémarré "
    "ou processus interrompu) : aucune heure n'a été enregistrée. Renvoyez le fichier ; "
    "si l'arrêt se répète, découpez-le en plusieurs fichiers ou transmettez-le à l'équipe "
    "qui administre Tremplin."
)
WAITED_TOO_LONG = (
    "Aucun traitement de fond n'a pris cet import en charge depuis {hours} heures : aucune "
    "heure n'a été enregistrée. L'équipe qui administre Tremplin doit vérifier que le "
    "traitement de fond (python -m tremplin db_worker) fonctionne ; renvoyez ensuite le fichier."
)


def table_limits() -> spreadsheets.TableLimits:
    """What a file may cost to read (settings ``HOURS_IMPORT_MAX_…``)."""
    default = spreadsheets.DEFAULT_LIMITS
    return spreadsheets.TableLimits(
        max_unzipped_bytes=int(
            getattr(settings, "HOURS_IMPORT_MAX_UNZIPPED_BYTES", default.max_unzipped_bytes)
        ),
        max_zip_ratio=int(getattr(settings, "HOURS_IMPORT_MAX_ZIP_RATIO", default.max_zip_ratio)),
        max_cells=int(getattr(settings, "HOURS_IMPORT_MAX_CELLS", default.max_cells)),
        max_columns=int(getattr(settings, "HOURS_IMPORT_MAX_COLUMNS", default.max_columns)),
        max_line_bytes=int(
            getattr(settings, "HOURS_IMPORT_MAX_LINE_BYTES", default.max_line_bytes)
        ),
    )


class AlreadyImported(Exception):
    """The same file (same SHA-256) was already imported, or is being imported."""

    def __init__(self, previous: HoursImport) -> None:
        super().__init__(previous.pk)
        self.previous = previous


# Who imports what -----------------------------------------------------------------------


def importer_ids(scope: UserScope) -> frozenset[int]:
    """Organisations whose members import hours: facilitator structures (for the people
    they follow) and employers (for the people they employ)."""
    return scope.facilitator_ids | scope.company_ids


def importing_organisations(scope: UserScope, *, kinds: Iterable[str]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=importer_ids(scope), kind__in=list(kinds)).order_by(
        "name"
    )


def _organisation_scope(scope: UserScope, organisation: Organisation) -> UserScope:
    """The user's scope narrowed to the one organisation the file is imported for."""
    if organisation.pk not in importer_ids(scope):
        raise ValidationError(
            {"organisation": "Vous n'importez pas d'heures pour cette organisation."}
        )
    return UserScope(
        user_id=scope.user_id,
        organisation_ids_by_kind={organisation.kind: frozenset({organisation.pk})},
        network_ids=scope.network_ids,
    )


def importable_placements(scope: UserScope, organisation: Organisation) -> QuerySet[Placement]:
    """The placements a file imported for ``organisation`` may touch."""
    narrowed = _organisation_scope(scope, organisation)
    if organisation.kind == OrganisationKind.FACILITATOR:
        return selectors.placements_visible_to(narrowed)
    if organisation.kind in EMPLOYER_KINDS:
        return selectors.company_placements_visible_to(narrowed)
    return Placement.objects.none()


# Reads ----------------------------------------------------------------------------------


def imports_visible_to(scope: UserScope) -> QuerySet[HoursImport]:
    return HoursImport.objects.filter(organisation_id__in=importer_ids(scope))


def hours_import_detail(scope: UserScope, pk: int) -> HoursImport:
    """One import of the user's organisations (raises HoursImport.DoesNotExist)."""
    return imports_visible_to(scope).select_related("organisation", "created_by").get(pk=pk)


def recent_imports(scope: UserScope, *, limit: int = 20) -> list[HoursImport]:
    return list(
        imports_visible_to(scope)
        .select_related("organisation", "created_by")
        .defer("errors", "columns")
        .order_by("-created_at", "-pk")[:limit]
    )


def imports_export(scope: UserScope) -> QuerySet[Any]:
    """Every import of the user's organisations, as values, the latest first (the page
    lists the latest only; the export holds them all)."""
    return (
        imports_visible_to(scope)
        .order_by("-created_at", "-pk")
        .values(
            "created_at",
            "file_name",
            "organisation__name",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__email",
            "status",
            "error_count",
            "rows_read",
            "created_count",
            "updated_count",
            "unchanged_count",
            "refused_count",
            "hours_imported",
            "hours_change",
        )
    )


def remembered_columns(organisation: Organisation) -> dict[str, str]:
    """What the organisation said its columns mean: header key -> field ("" ignored)."""
    return dict(
        ColumnMapping.objects.filter(organisation=organisation).values_list("header", "field")
    )


def header_of(hours_import: HoursImport) -> Header:
    return Header(
        line=hours_import.header_line,
        columns=tuple(
            spreadsheets.Column(index=index, label=label, field=field)
            for index, label, field in hours_import.columns
        ),
    )


def needs_columns(hours_import: HoursImport) -> bool:
    """Some column is unknown, or the columns lack what a row needs."""
    header = header_of(hours_import)
    return bool(header.unknown() or header.missing())


def row_errors(hours_import: HoursImport) -> list[RowError]:
    return [RowError(*item) for item in hours_import.errors]


def errors_by_line(hours_import: HoursImport, *, limit: int) -> list[tuple[int, list[RowError]]]:
    """The first ``limit`` faulty lines of the report, each with its errors."""
    grouped: dict[int, list[RowError]] = {}
    for item in hours_import.errors:
        error = RowError(*item)
        if error.line not in grouped and len(grouped) >= limit:
            break
        grouped.setdefault(error.line, []).append(error)
    return list(grouped.items())


def _read_file(hours_import: HoursImport) -> spreadsheets.Table:
    with hours_import.file.open("rb") as stored:
        data = stored.read()
    return spreadsheets.open_table(data, hours_import.file_format, table_limits())


def column_samples(hours_import: HoursImport, *, count: int = 3) -> dict[int, list[str]]:
    """A few values of each column under the header, to tell what an unknown column holds."""
    samples: dict[int, list[str]] = defaultdict(list)
    read = 0
    for line, cells in _read_file(hours_import).rows():
        if line <= hours_import.header_line:
            continue
        for index, _label, _field in hours_import.columns:
            if index < len(cells) and cells[index] is not None and len(samples[index]) < count:
                samples[index].append(spreadsheets.cell_text(cells[index])[:40])
        read += 1
        if read >= 20:
            break
    return dict(samples)


def hours_import_report(hours_import: HoursImport) -> bytes:
    """The file with an "Erreurs" column and its faulty cells highlighted (xlsx)."""
    return spreadsheets.write_annotated_copy(
        _read_file(hours_import), row_errors(hours_import), hours_import.header_line
    )


def hours_template(scope: UserScope, contract: Contract) -> bytes:
    """The spreadsheet to fill for a contract: one row per placement the user sees (an
    employer sees only the placements it employs)."""
    visible = selectors.placements_visible_to(scope) | selectors.company_placements_visible_to(
        scope
    )
    placements = (
        visible.filter(contract=contract)
        .select_related("participant", "employer", "job")
        .order_by("participant__last_name", "participant__first_name", "start_date", "pk")
    )
    rows = [
        spreadsheets.TemplateRow(
            placement_id=placement.pk,
            last_name=placement.participant.last_name,
            first_name=placement.participant.first_name,
            birth_date=placement.participant.birth_date,
            employer=placement.employer.name,
            job=placement.job.title,
        )
        for placement in placements
    ]
    return spreadsheets.write_template(
        rows,
        contract=f"{contract.reference} — {contract.title}",
        period=(contract.execution_start, contract.execution_end),
        facilitator=contract.facilitator.name,
    )


# Receiving a file -----------------------------------------------------------------------


def _columns_json(header: Header) -> list[list[Any]]:
    return [[column.index, column.label, column.field] for column in header.columns]


@transaction.atomic
def hours_import_receive(
    *,
    actor: User | None,
    scope: UserScope,
    organisation: Organisation,
    file: Any,
    validate_directly: bool = False,
) -> HoursImport:
    """Check an uploaded file and keep it, its header found and its columns recognised.

    Raises ValidationError (by field: ``file``, ``organisation``, ``validate_directly``)
    in French, or AlreadyImported when the very same file was imported before.
    """
    _organisation_scope(scope, organisation)
    if validate_directly and organisation.kind != OrganisationKind.FACILITATOR:
        raise ValidationError(
            {"validate_directly": "Seule la structure de facilitation valide les heures."}
        )
    max_bytes = getattr(settings, "HOURS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    size = int(getattr(file, "size", 0) or 0)
    if not size:
        raise ValidationError({"file": "Le fichier est vide."})
    if size > max_bytes:
        raise ValidationError(
            {
                "file": f"Le fichier pèse {size_text(size)} : la limite est de {size_text(max_bytes)}. "
                "Envoyez-le en plusieurs fois ou retirez les feuilles inutiles."
            }
        )
    name = PurePath(str(file.name)).name
    file.seek(0)
    head = bytes(file.read(16))
    try:
        file_format = spreadsheets.file_format(name, head)
    except spreadsheets.SpreadsheetError as error:
        raise ValidationError({"file": str(error)}) from error
    digest = sha256_of(file)
    previous = (
        HoursImport.objects.filter(
            organisation=organisation,
            file_hash=digest,
            status__in=[
                HoursImportStatus.DONE,
                HoursImportStatus.QUEUED,
                HoursImportStatus.RUNNING,
            ],
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if previous is not None:
        raise AlreadyImported(previous)
    data = bytes(file.read())
    file.seek(0)
    try:
        table = spreadsheets.open_table(data, file_format, table_limits())
        first_rows = []
        for line, cells in table.rows():
            first_rows.append((line, cells))
            if len(first_rows) >= spreadsheets.HEADER_SEARCH_ROWS:
                break
    except spreadsheets.SpreadsheetError as error:
        raise ValidationError({"file": str(error)}) from error
    if not first_rows:
        raise ValidationError({"file": "Le fichier ne contient aucune ligne."})
    header = spreadsheets.find_header(first_rows, remembered_columns(organisation), table.merges)
    hours_import = HoursImport(
        organisation=organisation,
        created_by=actor,
        file_name=name[:255],
        file_format=file_format,
        file_size=size,
        file_hash=digest,
        validate_directly=validate_directly,
        header_line=header.line,
        columns=_columns_json(header),
        row_count=max(table.last_line - header.line, 0),
    )
    hours_import.file.save(name, file, save=False)
    hours_import.save()
    return hours_import


@transaction.atomic
def hours_import_set_columns(
    *, actor: User | None, hours_import: HoursImport, choices: dict[int, str]
) -> HoursImport:
    """Record what each column holds (by column index; "" sets a column aside), and
    remember the choices that differ from the usual names for the organisation's next
    files."""
    if hours_import.status != HoursImportStatus.RECEIVED:
        raise ValidationError("Cet import est déjà lancé : ses colonnes ne changent plus.")
    known = set(FIELDS) | {spreadsheets.IGNORED}
    if any(field not in known for field in choices.values()):
        raise ValidationError("Choix de colonne invalide.")
    header = spreadsheets.with_fields(header_of(hours_import), choices)
    used = Counter(column.field for column in header.columns if column.field)
    twice = [field for field, count in used.items() if count > 1]
    if twice:
        raise ValidationError(
            f"« {FIELDS[twice[0]]} » est choisi pour plusieurs colonnes : gardez-en une seule "
            "et ignorez les autres."
        )
    if header.unknown():
        labels = ", ".join(f"« {column.label} »" for column in header.unknown())
        raise ValidationError(f"Dites ce que contient chaque colonne ({labels}) ou ignorez-la.")
    missing = header.missing()
    if missing:
        raise ValidationError("Il manque une colonne indispensable : " + " ; ".join(missing) + ".")
    remembered = remembered_columns(hours_import.organisation)
    for column in header.columns:
        if column.index not in choices or not column.key:
            continue
        usual = spreadsheets.recognise(column.label, {})
        if column.field != usual:
            ColumnMapping.objects.update_or_create(
                organisation=hours_import.organisation,
                header=column.key[:200],
                defaults={
                    "label": column.label[:200],
                    "field": column.field or "",
                    "updated_by": actor,
                },
            )
        elif column.key in remembered:
            ColumnMapping.objects.filter(
                organisation=hours_import.organisation, header=column.key
            ).delete()
    hours_import.columns = _columns_json(header)
    hours_import.save(update_fields=["columns"])
    return hours_import


def hours_import_launch(*, hours_import: HoursImport) -> HoursImport:
    """Run the import now, or queue it for the background worker when the file is long."""
    if needs_columns(hours_import):
        raise ValidationError("Précisez d'abord ce que contiennent les colonnes.")
    if hours_import.status != HoursImportStatus.RECEIVED:
        return hours_import
    threshold = getattr(settings, "HOURS_IMPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS)
    if hours_import.row_count > threshold:
        HoursImport.objects.filter(pk=hours_import.pk).update(status=HoursImportStatus.QUEUED)
        result = run_hours_import.enqueue(hours_import.pk)
        HoursImport.objects.filter(pk=hours_import.pk).update(task_id=str(result.id)[:64])
    else:
        hours_import_run(hours_import=hours_import)
    hours_import.refresh_from_db()
    return hours_import


@task()
def run_hours_import(import_id: int) -> str:
    """The background task of a long import (run by ``python -m tremplin db_worker``)."""
    hours_import = HoursImport.objects.select_related("organisation", "created_by").get(
        pk=import_id
    )
    return hours_import_run(hours_import=hours_import).status


# Running an import ----------------------------------------------------------------------


def hours_import_run(*, hours_import: HoursImport) -> HoursImport:
    """Validate every row, then write all of them or none. Never raises: the outcome is
    the import's status (done, invalid, failed) and its counts or errors."""
    claimed = HoursImport.objects.filter(
        pk=hours_import.pk,
        status__in=[HoursImportStatus.RECEIVED, HoursImportStatus.QUEUED],
    ).update(
        status=HoursImportStatus.RUNNING,
        rows_processed=0,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:  # already run (a task delivered twice, a page posted twice)
        hours_import.refresh_from_db()
        return hours_import
    hours_import.refresh_from_db()
    fields: dict[str, Any] = {}
    try:
        actor = hours_import.created_by
        if actor is None:
            raise ValidationError("La personne qui a envoyé ce fichier n'a plus de compte.")
        scope = scope_for(actor)
        outcome = _Import(hours_import, actor=actor, scope=scope).run()
        fields = outcome
    except ValidationError as error:
        fields = {
            "status": HoursImportStatus.FAILED,
            "message": " ".join(error.messages)[:300],
        }
    except spreadsheets.SpreadsheetError as error:
        fields = {
            "status": HoursImportStatus.FAILED,
            "message": f"{error} Aucune heure n'a été enregistrée."[:300],
        }
    except Exception:
        logger.exception("Import d'heures n° %s interrompu", hours_import.pk)
        fields = {"status": HoursImportStatus.FAILED, "message": FAILURE_MESSAGE[:300]}
    fields["finished_at"] = timezone.now()
    HoursImport.objects.filter(pk=hours_import.pk).update(**fields)
    hours_import.refresh_from_db()
    return hours_import


def hours_import_recover(*, only: HoursImport | None = None) -> list[str]:
    """Run again, or close as failed, the imports nobody works on any more (all of them, or
    ``only`` that one, when its page is viewed). An import writes its hours in one
    transaction: a run that died wrote nothing, so running it again is safe; and a month is
    one row per placement, so even a run killed after its commit never counts hours twice.
    Returns what was done, in French."""
    imports = HoursImport.objects.select_related("organisation", "created_by")
    if only is not None:
        imports = imports.filter(pk=only.pk)
    done: list[str] = []
    for found in recovery.abandoned(
        imports,
        running=[HoursImportStatus.RUNNING],
        queued=[HoursImportStatus.QUEUED],
        task=run_hours_import,
    ):
        item = found.item
        name = f"Import d'heures n° {item.pk} ({item.file_name})"
        if found.why is recovery.Why.WAITED_TOO_LONG:
            message = WAITED_TOO_LONG.format(
                hours=int(recovery.queued_max().total_seconds() // 3600)
            )
        elif item.attempts >= recovery.max_attempts():
            message = STOPPED_TOO_OFTEN.format(attempts=item.attempts)
        else:
            if recovery.take_back(HoursImport, item, status=HoursImportStatus.QUEUED):
                result = run_hours_import.enqueue(item.pk)
                HoursImport.objects.filter(pk=item.pk).update(task_id=str(result.id)[:64])
                done.append(f"{name} : relancé.")
            continue
        if recovery.take_back(
            HoursImport,
            item,
            status=HoursImportStatus.FAILED,
            message=message[:300],
            finished_at=timezone.now(),
        ):
            done.append(f"{name} : marqué en échec.")
    return done


def hours_import_watched(hours_import: HoursImport) -> HoursImport:
    """The import as its page shows it, once checked that someone still works on it: a
    page that polls an import whose worker died never waits for ever."""
    if not hours_import.finished and hours_import_recover(only=hours_import):
        hours_import.refresh_from_db()
    return hours_import


@dataclass(frozen=True, slots=True)
class _Known:
    """A placement the file may touch, with what it takes to match and check a row."""

    pk: int
    participant_id: int
    name: str  # "Fatima MADI", for messages
    last_key: str
    first_key: str
    full_key: tuple[str, ...]  # the words of the whole name, sorted (spreadsheets.name_key)
    birth_date: date
    contract_key: str
    contract: str
    first_month: date
    last_month: date
    pool_id: int | None


class PlacementIndex:
    """The placements of the scope, read once in one query, by number, by surname and
    first name, and by the words of the whole name (in any order): every row is matched
    by dictionary look-ups, never by a query."""

    def __init__(self, placements: QuerySet[Placement]) -> None:
        self.by_pk: dict[int, _Known] = {}
        self.by_name: dict[tuple[str, str], list[_Known]] = defaultdict(list)
        self.by_full_name: dict[tuple[str, ...], list[_Known]] = defaultdict(list)
        rows = placements.order_by().values_list(
            "pk",
            "participant_id",
            "participant__last_name",
            "participant__first_name",
            "participant__birth_date",
            "contract__reference",
            "start_date",
            "end_date",
            "contract__execution_end",
            "pool_id",
        )
        for (
            pk,
            participant_id,
            last,
            first,
            birth,
            reference,
            start,
            end,
            contract_end,
            pool_id,
        ) in rows.iterator(chunk_size=5000):
            first_month, last_month = services.placement_month_range(start, end, contract_end)
            known = _Known(
                pk=pk,
                participant_id=participant_id,
                name=f"{first} {last.upper()}",
                last_key=spreadsheets.header_key(last),
                first_key=spreadsheets.header_key(first),
                full_key=spreadsheets.name_key(f"{first} {last}"),
                birth_date=birth,
                contract_key=spreadsheets.header_key(reference),
                contract=reference,
                first_month=first_month,
                last_month=last_month,
                pool_id=pool_id,
            )
            self.by_pk[pk] = known
            self.by_name[(known.last_key, known.first_key)].append(known)
            self.by_full_name[known.full_key].append(known)

    def find(self, row: HoursRow) -> _Known | str:
        """The placement a row is about, or the French reason why there is none: never a
        guess between two people."""
        last_key = spreadsheets.header_key(row.last_name) if row.last_name else ""
        first_key = spreadsheets.header_key(row.first_name) if row.first_name else ""
        full_key = spreadsheets.name_key(row.full_name) if row.full_name else ()
        contract_key = spreadsheets.header_key(row.contract) if row.contract else ""
        if row.placement_id is not None:
            known = self.by_pk.get(row.placement_id)
            if known is None:
                return (
                    f"Mise en emploi n° {row.placement_id} inconnue : elle n'existe pas ou "
                    "n'est pas de votre ressort."
                )
            # Beside the number, the name is a check: a part of it (the surname alone) will do.
            other_name = (last_key and last_key != known.last_key) or (
                first_key and first_key != known.first_key
            )
            if other_name or (full_key and not set(full_key) <= set(known.full_key)):
                return (
                    f"La mise en emploi n° {row.placement_id} est celle de {known.name}, "
                    f"pas de {row.who} : vérifiez la ligne."
                )
            if row.birth_date and row.birth_date != known.birth_date:
                return (
                    f"La date de naissance ne correspond pas à celle de {known.name} "
                    f"(mise en emploi n° {row.placement_id})."
                )
            if contract_key and contract_key != known.contract_key:
                return (
                    f"La mise en emploi n° {row.placement_id} est sur le marché "
                    f"{known.contract}, pas sur le marché {row.contract}."
                )
            return known
        who = row.who
        if full_key:
            candidates = list(self.by_full_name.get(full_key, []))
        else:
            candidates = list(self.by_name.get((last_key, first_key), []))
        if row.birth_date:
            candidates = [known for known in candidates if known.birth_date == row.birth_date]
        if contract_key:
            candidates = [known for known in candidates if known.contract_key == contract_key]
        if not candidates:
            born = f" née ou né le {row.birth_date:%d/%m/%Y}" if row.birth_date else ""
            on = f" sur le marché {row.contract}" if row.contract else ""
            return (
                f"Personne inconnue : aucune mise en emploi de {who}{born}{on} parmi celles "
                "de votre ressort."
            )
        people = {known.participant_id: known.name for known in candidates}
        if len(people) > 1:
            named = ", ".join(sorted(set(people.values())))
            add = (
                "le n° de mise en emploi"
                if row.birth_date
                else "le n° de mise en emploi ou la date de naissance"
            )
            return (
                f"« {who} » peut désigner {len(people)} personnes ({named}) : ajoutez {add} "
                "pour dire de qui il s'agit."
            )
        if len(candidates) > 1 and row.month is not None:
            month = row.month
            in_month = [
                known for known in candidates if known.first_month <= month <= known.last_month
            ]
            candidates = in_month or candidates
        if len(candidates) > 1:
            return (
                f"{who} a plusieurs mises en emploi ({len(candidates)}) : indiquez le n° de "
                "mise en emploi dans la colonne prévue."
            )
        return candidates[0]


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    placement_id: int
    participant_id: int
    name: str
    month: date
    hours_worked: Decimal
    training_hours: Decimal
    faulty: bool  # the row has an error already: still checked, never written

    @property
    def total(self) -> Decimal:
        return self.hours_worked + self.training_hours


@dataclass(frozen=True, slots=True)
class _Existing:
    pk: int
    participant_id: int
    hours_worked: Decimal
    training_hours: Decimal
    total: Decimal
    status: str
    rejection_reason: str
    declared_by_id: int | None
    reviewed_by_id: int | None
    reviewed_at: Any


class _Invalid(Exception):
    pass


class _Import:
    """One run: stream the rows, check them, then write them all in one transaction."""

    def __init__(self, hours_import: HoursImport, *, actor: User, scope: UserScope) -> None:
        self.hours_import = hours_import
        self.actor = actor
        self.organisation = hours_import.organisation
        self.placements = importable_placements(scope, self.organisation)
        self.employer = self.organisation.kind in EMPLOYER_KINDS
        self.validate = hours_import.validate_directly and not self.employer
        self.header = header_of(hours_import)
        self.fields = self.header.fields()
        self.errors: list[RowError] = []
        self.rows: list[_Row] = []
        self.rows_read = 0
        self.refused = 0  # validated months the file would change
        self.today = services.network_today(self.organisation.network)

    def _column(self, field: str) -> tuple[int | None, str]:
        column = self.fields.get(field)
        return (column.index, column.label) if column else (None, "")

    def _error(self, line: int, field: str, message: str) -> None:
        index, label = self._column(field)
        self.errors.append(RowError(line, index, label, message))

    def _progress(self, lines: int) -> None:
        HoursImport.objects.filter(pk=self.hours_import.pk).update(
            rows_processed=lines, heartbeat_at=timezone.now()
        )

    def _stream(self) -> Iterator[list[tuple[int, list[spreadsheets.Cell]]]]:
        """The data rows (below the header), by chunks."""
        chunk: list[tuple[int, list[spreadsheets.Cell]]] = []
        for line, cells in _read_file(self.hours_import).rows():
            if line <= self.header.line:
                continue
            chunk.append((line, cells))
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def run(self) -> dict[str, Any]:
        index = PlacementIndex(self.placements)
        today = self.today
        seen: dict[tuple[int, date], int] = {}
        for chunk in self._stream():
            for line, cells in chunk:
                self._check_row(line, cells, index, today, seen)
            self._progress(chunk[-1][0] - self.header.line)
        try:
            with transaction.atomic():
                existing = self._existing()
                self._check_months(existing)
                if self.errors:
                    raise _Invalid
                counts = self._write(existing)
        except _Invalid:
            self.errors.sort(key=lambda error: (error.line, error.column or 0))
            return {
                "status": HoursImportStatus.INVALID,
                "rows_processed": self.hours_import.row_count,
                "rows_read": self.rows_read,
                "refused_count": self.refused,
                "error_count": len(self.errors),
                "errors": [list(_as_tuple(error)) for error in self.errors],
            }
        return {
            "status": HoursImportStatus.DONE,
            "rows_processed": self.hours_import.row_count,
            "rows_read": self.rows_read,
            "error_count": 0,
            "errors": [],
            **counts,
        }

    def _check_row(
        self,
        line: int,
        cells: list[spreadsheets.Cell],
        index: PlacementIndex,
        today: date,
        seen: dict[tuple[int, date], int],
    ) -> None:
        parsed, errors = spreadsheets.read_row(line, cells, self.fields)
        self.errors.extend(errors)
        if parsed is None:
            return
        self.rows_read += 1
        # Every rule runs on what could be read, so that a row shows all its errors at once.
        wrong = bool(errors)
        found: _Known | None = None
        if parsed.identified:
            match = index.find(parsed)
            if isinstance(match, str):
                self._error(line, self._identity_field(parsed), match)
                wrong = True
            elif match.pool_id is not None:
                self._error(line, "hours_worked", services.pooled_hours_message(match.pool_id))
                wrong = True
            else:
                found = match
        month = parsed.month
        if month is not None:
            if found is not None:
                period = services.hours_period_error(
                    month, found.first_month, found.last_month, today
                )
            else:
                period = services.month_not_over_error(month, today)
            if period:
                self._error(line, "month", period)
                wrong = True
        for field in ("hours_worked", "training_hours"):
            hours = getattr(parsed, field)
            negative = services.negative_hours_error(hours) if hours is not None else None
            if negative:
                self._error(line, field, negative)
                wrong = True
        if found is None or month is None:
            return
        key = (found.pk, month)
        if key in seen:
            self._error(
                line,
                "month",
                f"Doublon : {found.name} en {month:%m/%Y} figure déjà à la ligne {seen[key]}.",
            )
            return
        seen[key] = line
        if parsed.hours_worked is None or parsed.training_hours is None:
            return
        self.rows.append(
            _Row(
                line=line,
                placement_id=found.pk,
                participant_id=found.participant_id,
                name=found.name,
                month=month,
                hours_worked=parsed.hours_worked,
                training_hours=parsed.training_hours,
                faulty=wrong,
            )
        )

    def _identity_field(self, row: HoursRow) -> str:
        """The column an error about who the row is goes to."""
        if row.placement_id is not None:
            return "placement"
        if row.full_name:
            return "full_name"
        return "last_name" if "last_name" in self.fields else "placement"

    def _existing(self) -> dict[tuple[int, date], _Existing]:
        """The months already recorded for the people of the file, whatever the
        placement (the month's ceiling counts them all), locked until the end."""
        participant_ids = sorted({row.participant_id for row in self.rows})
        months = sorted({row.month for row in self.rows})
        found: dict[tuple[int, date], _Existing] = {}
        for start in range(0, len(participant_ids), LOOKUP_BATCH):
            batch = participant_ids[start : start + LOOKUP_BATCH]
            entries = (
                HoursEntry.objects.select_for_update(of=("self",))
                .filter(placement__participant_id__in=batch, month__in=months)
                .order_by()
                .values_list(
                    "pk",
                    "placement_id",
                    "placement__participant_id",
                    "month",
                    "hours_worked",
                    "training_hours",
                    "total_hours",
                    "status",
                    "rejection_reason",
                    "declared_by_id",
                    "reviewed_by_id",
                    "reviewed_at",
                )
            )
            for pk, placement_id, participant_id, month, worked, training, total, *rest in entries:
                found[(placement_id, month)] = _Existing(
                    pk, participant_id, worked, training, total, *rest
                )
        return found

    def _check_months(self, existing: dict[tuple[int, date], _Existing]) -> None:
        """The ceiling of each person's month, counting the file and what is recorded on
        the placements the file does not set; an employer's rules on reviewed months."""
        in_file: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        keys = set()
        for row in self.rows:
            if not row.faulty:
                in_file[(row.participant_id, row.month)] += row.total
            keys.add((row.placement_id, row.month))
        recorded: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        for (placement_id, month), entry in existing.items():
            if (placement_id, month) not in keys and entry.status != HoursStatus.REJECTED:
                recorded[(entry.participant_id, month)] += entry.total
        for row in self.rows:
            if not row.faulty:
                person_month = (row.participant_id, row.month)
                total = in_file[person_month] + recorded[person_month]
                ceiling = services.hours_ceiling_error(row.month, total, total - row.total)
                if ceiling:
                    self._error(row.line, "hours_worked", ceiling)
            entry = existing.get((row.placement_id, row.month))
            if (
                entry is not None
                and entry.status == HoursStatus.VALIDATED
                and not _same(entry, row)
            ):
                # Never changed by a file: reopened first, by the facilitator structure.
                self.refused += 1
                self._error(
                    row.line,
                    "month",
                    services.validated_month_error(
                        month=row.month, name=row.name, by_facilitator=not self.employer
                    ),
                )

    def _write(self, existing: dict[tuple[int, date], _Existing]) -> dict[str, Any]:
        now = timezone.now()
        created: list[tuple[HoursEntry, int]] = []
        updated: list[tuple[HoursEntry, int, dict[str, Any]]] = []
        unchanged = 0
        read = Decimal(0)  # every hour of the file
        change = Decimal(0)  # after - before, over the months the file touches
        for row in self.rows:
            read += row.total
            entry_before = existing.get((row.placement_id, row.month))
            if entry_before is not None and _same(entry_before, row):
                unchanged += 1
                continue
            change += row.total - (entry_before.total if entry_before is not None else 0)
            entry = HoursEntry(
                placement_id=row.placement_id,
                month=row.month,
                hours_worked=row.hours_worked,
                training_hours=row.training_hours,
                declared_by=self.actor,
            )
            if entry_before is None:
                services.hours_set_status(
                    entry, changed=True, validate=self.validate, actor=self.actor, now=now
                )
                created.append((entry, row.participant_id))
            else:
                entry.pk = entry_before.pk
                entry.status = entry_before.status
                entry.rejection_reason = entry_before.rejection_reason
                entry.declared_by_id = entry_before.declared_by_id
                entry.reviewed_by_id = entry_before.reviewed_by_id
                entry.reviewed_at = entry_before.reviewed_at
                before = {
                    "month": row.month.isoformat(),
                    "hours_worked": str(entry_before.hours_worked),
                    "training_hours": str(entry_before.training_hours),
                    "status": entry_before.status,
                    "rejection_reason": entry_before.rejection_reason,
                }
                services.hours_set_status(
                    entry, changed=True, validate=self.validate, actor=self.actor, now=now
                )
                updated.append((entry, row.participant_id, before))
        HoursEntry.objects.bulk_create([entry for entry, _ in created], batch_size=BATCH_SIZE)
        HoursEntry.objects.bulk_update(
            [entry for entry, _, _ in updated],
            [
                "hours_worked",
                "training_hours",
                "status",
                "rejection_reason",
                "declared_by",
                "reviewed_by",
                "reviewed_at",
            ],
            batch_size=BATCH_SIZE,
        )
        events = [
            services.inclusion_event(
                actor=self.actor,
                participant_id=participant_id,
                action=services.hours_event_action(
                    created=True, changed=True, validate=self.validate
                ),
                object_type="hoursentry",
                object_id=entry.pk,
                before=None,
                after=services.hours_snapshot(entry),
            )
            for entry, participant_id in created
        ] + [
            services.inclusion_event(
                actor=self.actor,
                participant_id=participant_id,
                action=services.hours_event_action(
                    created=False, changed=True, validate=self.validate
                ),
                object_type="hoursentry",
                object_id=entry.pk,
                before=before,
                after=services.hours_snapshot(entry),
            )
            for entry, participant_id, before in updated
        ]
        InclusionEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
        return {
            "created_count": len(created),
            "updated_count": len(updated),
            "unchanged_count": unchanged,
            "refused_count": 0,
            "hours_imported": read,
            "hours_change": change,
        }


def _same(entry: _Existing, row: _Row) -> bool:
    return entry.hours_worked == row.hours_worked and entry.training_hours == row.training_hours


def _as_tuple(error: RowError) -> tuple[int, int | None, str, str]:
    return (error.line, error.column, error.label, error.message)
