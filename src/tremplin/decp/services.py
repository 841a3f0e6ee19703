"""Writes of the open procurement data: records imported by batches, organisations matched
or created by SIRET, the import's counts and history.

``import_records`` takes the records one file yields (already read and cleaned) and
writes them by batches of ``BATCH_SIZE``, each batch in its own transaction with a fixed
number of queries whatever its size: one lookup by SIRET of the organisations not met in
an earlier batch, one of the records already known by (buyer, id), then bulk inserts and
updates. Nothing of a batch is
kept once it is written, so memory stays flat whatever the file's size. Why each batch
commits on its own (and not the whole file) is told in docs/decisions/0003-decp-import.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tremplin.core.history import only_changes, snapshot
from tremplin.decp.enums import DecpEventAction, DecpImportStatus
from tremplin.decp.models import (
    DecpEvent,
    DecpHolder,
    DecpImport,
    DecpRecord,
    DecpRejection,
    OpportunitySettings,
)
from tremplin.decp.normalise import siret_is_valid
from tremplin.decp.opportunities import (
    MAX_MIN_DURATION_MONTHS,
    MAX_PREFIX_DIGITS,
    MIN_PREFIX_DIGITS,
    CpvPrefix,
    valid_prefix,
)
from tremplin.decp.records import DecpRecord as Record
from tremplin.decp.records import Party, Rejection
from tremplin.organisations.access import scope_for
from tremplin.organisations.enums import OrganisationKind, OrganisationSource
from tremplin.organisations.models import Network, Organisation, User
from tremplin.organisations.services import organisation_confirm
from tremplin.procurement.models import Contract
from tremplin.procurement.services import contract_create_with_clause

BATCH_SIZE = 1000
# The largest amount the database keeps (16 digits, 2 after the comma).
MAX_AMOUNT = Decimal("99999999999999.99")
MAX_IDENTIFIER = DecpRecord._meta.get_field("identifier").max_length or 200
# The fields an update rewrites: the published ones. ``contract`` (what a facilitator
# follows) and ``first_seen_at`` are never touched by an import.
PUBLISHED_FIELDS = (
    "buyer",
    "kind",
    "format_version",
    "object",
    "cpv_code",
    "procedure",
    "nature",
    "amount",
    "duration_months",
    "notified_on",
    "published_on",
    "place_code",
    "place_kind",
    "place_name",
    "social_considerations",
    "environmental_considerations",
    "has_social",
    "has_environmental",
    "reserved",
    "published_holders",
    "subcontracting",
    "modifications",
    "corrections",
    "content_hash",
    "last_import",
    "updated_at",
)
# The columns of a new record, in the order of ``_Batch._new_row``; ``contract`` is empty.
NEW_RECORD_FIELDS = (
    "network_id",
    "buyer_id",
    "buyer_siret",
    "identifier",
    "kind",
    "format_version",
    "object",
    "cpv_code",
    "procedure",
    "nature",
    "amount",
    "duration_months",
    "notified_on",
    "published_on",
    "place_code",
    "place_kind",
    "place_name",
    "social_considerations",
    "environmental_considerations",
    "has_social",
    "has_environmental",
    "reserved",
    "published_holders",
    "subcontracting",
    "modifications",
    "corrections",
    "content_hash",
    "last_import_id",
    "first_seen_at",
    "updated_at",
)
_QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"")


def reason_kind(reason: str) -> str:
    """A rejection's reason without the values it quotes, to count rejections by reason:
    « L'acheteur n'a pas de SIRET valide (« 1234 »). » → « … (« … »). »"""
    return _QUOTED.sub("« … »", reason)[:300]


def has_valid_siret(party: Party) -> bool:
    # The normaliser's check (python-stdnum's answer on 14 digits), cached by SIRET: a
    # national file names the same buyers and holders on thousands of records.
    return party.has_siret and siret_is_valid(party.identifier)


# Counts ---------------------------------------------------------------------------------


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    outdated: int = 0
    repeated: int = 0
    rejected: int = 0
    organisations: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ImportTakenBack(Exception):
    """The import is no longer this run's: the recovery judged it dead and handed it on."""


def _add_counts(decp_import: DecpImport, counts: Counts) -> None:
    """Count a batch, in its transaction, and say the run is alive; raises ImportTakenBack
    (the batch is then rolled back) when another run now holds the import."""
    updated = DecpImport.objects.filter(
        pk=decp_import.pk,
        status__in=[DecpImportStatus.WAITING, DecpImportStatus.RUNNING],
        attempts=decp_import.attempts,
    ).update(
        heartbeat_at=timezone.now(),
        records_read=F("records_read") + counts.read,
        created_count=F("created_count") + counts.created,
        updated_count=F("updated_count") + counts.updated,
        unchanged_count=F("unchanged_count") + counts.unchanged,
        outdated_count=F("outdated_count") + counts.outdated,
        repeated_count=F("repeated_count") + counts.repeated,
        rejected_count=F("rejected_count") + counts.rejected,
        organisations_created=F("organisations_created") + counts.organisations,
    )
    if not updated:
        raise ImportTakenBack


# Imports: creation, start, end ------------------------------------------------------------


@transaction.atomic
def decp_import_create(
    *,
    network: Network,
    actor: User | None,
    file_name: str,
    file_size: int,
    file_hash: str,
    file: Any = None,
    source_path: str = "",
) -> DecpImport:
    """Record a file to import: uploaded (``file``, kept in the media storage) or read on
    the server (``source_path``, by the command)."""
    decp_import = DecpImport(
        network=network,
        created_by=actor,
        file_name=file_name[:255],
        file_size=file_size,
        file_hash=file_hash,
        source_path=source_path[:500],
    )
    if file is not None:
        decp_import.file.save(file_name, file, save=False)
    decp_import.save()
    return decp_import


def decp_import_claim(decp_import: DecpImport, *, records_total: int = 0) -> bool:
    """Mark the waiting import running, as one more attempt: False if another run has it
    (a task delivered twice)."""
    claimed = DecpImport.objects.filter(pk=decp_import.pk, status=DecpImportStatus.WAITING).update(
        status=DecpImportStatus.RUNNING,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
        records_total=records_total or F("records_total"),
    )
    decp_import.refresh_from_db()
    return bool(claimed)


def decp_import_beat(decp_import: DecpImport, *, records_total: int | None = None) -> None:
    """Say the run is alive (while it reads without writing), and the records it counted."""
    changes: dict[str, Any] = {"heartbeat_at": timezone.now()}
    if records_total is not None:
        changes["records_total"] = records_total
    DecpImport.objects.filter(pk=decp_import.pk, attempts=decp_import.attempts).update(**changes)


def decp_import_set_task(decp_import: DecpImport, task_id: str) -> None:
    DecpImport.objects.filter(pk=decp_import.pk).update(task_id=task_id[:64])


@transaction.atomic
def decp_import_finish(decp_import: DecpImport, *, error: str = "") -> DecpImport:
    """Close an import, done or failed (``error``, in French), and write it in the history."""
    DecpImport.objects.filter(pk=decp_import.pk).update(
        status=DecpImportStatus.FAILED if error else DecpImportStatus.DONE,
        error_message=error[:500],
        finished_at=timezone.now(),
    )
    decp_import.refresh_from_db()
    DecpEvent.objects.create(
        network_id=decp_import.network_id,
        actor=decp_import.created_by,
        action=DecpEventAction.IMPORT_FAILED if error else DecpEventAction.IMPORT_DONE,
        object_type="decpimport",
        object_id=decp_import.pk,
        before=None,
        after={
            "file_name": decp_import.file_name,
            "file_hash": decp_import.file_hash,
            "records_read": decp_import.records_read,
            "created": decp_import.created_count,
            "updated": decp_import.updated_count,
            "unchanged": decp_import.unchanged_count,
            "rejected": decp_import.rejected_count,
            "organisations_created": decp_import.organisations_created,
            "error": decp_import.error_message,
        },
    )
    return decp_import


# Records ----------------------------------------------------------------------------------


def _batches(items: Iterable[Record | Rejection], size: int) -> Iterator[list[Record | Rejection]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def import_records(
    decp_import: DecpImport,
    records: Iterable[Record | Rejection],
    *,
    batch_size: int = BATCH_SIZE,
    offset: int = 0,
) -> Counts:
    """Write the records of a file by batches; the import's counts grow after each batch
    (the page polls them). ``records`` starts after the ``offset`` records a previous
    run wrote. Returns the counts of this call."""
    total = Counts(read=offset)
    network = decp_import.network
    # The organisations met so far, by SIRET: a national file names the same buyers and
    # companies again and again, each is looked up once.
    organisation_ids: dict[str, int] = {}
    for batch in _batches(records, batch_size):
        with transaction.atomic():
            # The stream yields one item per record of the file, in order: the rank of
            # an item is its position in the file.
            counts = _Batch(
                decp_import, network, batch, organisation_ids, offset=total.read
            ).write()
            _add_counts(decp_import, counts)
        total.add(counts)
    total.read -= offset
    return total


def _party_json(party: Party) -> dict[str, str]:
    return {"id": party.identifier, "name": party.name, "id_kind": party.id_kind}


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _as_json_list(items: tuple[Any, ...]) -> list[Any]:
    return [_json_value(dataclasses.asdict(item)) for item in items]


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(kind))


def _published_json(value: Any) -> Any:
    """What json cannot write by itself: the record's parts (as ``dataclasses.asdict``
    gives them, without its deep copies), its amounts and its dates."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: getattr(value, name) for name in _field_names(type(value))}
    raise TypeError(f"{type(value).__name__} n'est pas une valeur publiée.")


def content_hash(record: Record) -> str:
    """A digest of everything published (not the repairs made on the way). The same text
    as ``_json_value(dataclasses.asdict(record))`` would give: digests already stored stay
    valid."""
    content = {name: getattr(record, name) for name in _field_names(Record)}
    del content["corrections"]
    text = json.dumps(
        content,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_published_json,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _is_newer(incoming: date | None, known: date | None) -> bool | None:
    """True if newer, False if older, None if the same publication date."""
    if incoming == known:
        return None
    if known is None:
        return True
    if incoming is None:
        return False
    return incoming > known


@dataclass
class _Pending:
    record: Record
    digest: str
    existing_pk: int | None  # None: to create


@dataclass
class _Known:
    pk: int
    published_on: date | None
    digest: str
    import_id: int | None  # the import that wrote it last
    file_hash: str  # and the file that import read


@dataclass
class _Batch:
    decp_import: DecpImport
    network: Network
    items: list[Record | Rejection]
    organisation_ids: dict[str, int]  # shared by the batches of an import, grows with them
    offset: int = 0
    counts: Counts = field(default_factory=Counts)
    rejections: list[DecpRejection] = field(default_factory=list)

    def reject(self, position: int, identifier: str, field_name: str, reason: str) -> None:
        self.counts.rejected += 1
        self.rejections.append(
            DecpRejection(
                decp_import=self.decp_import,
                position=position,
                identifier=identifier[:200],
                field=field_name[:100],
                reason=reason[:500],
                reason_kind=reason_kind(reason),
            )
        )

    def _check(self, position: int, record: Record) -> bool:
        """What the database cannot keep is rejected here, with its reason."""
        if not has_valid_siret(record.buyer):
            self.reject(
                position,
                record.identifier,
                "acheteur.id",
                f"L'acheteur n'a pas de SIRET valide (« {record.buyer.identifier} »).",
            )
            return False
        if not record.identifier.strip():
            self.reject(position, "", "id", "Le marché n'a pas d'identifiant.")
            return False
        if len(record.identifier) > MAX_IDENTIFIER:
            self.reject(
                position,
                record.identifier,
                "id",
                f"L'identifiant dépasse {MAX_IDENTIFIER} caractères.",
            )
            return False
        if record.amount is not None and abs(record.amount) > MAX_AMOUNT:
            self.reject(
                position,
                record.identifier,
                "montant",
                f"Montant invraisemblable (« {record.amount} »).",
            )
            return False
        return True

    def write(self) -> Counts:
        self.counts.read = len(self.items)
        # Records of the batch by key, the latest publication winning; their position
        # in the file is kept for the rejections they may still get.
        pending: dict[tuple[str, str], _Pending] = {}
        incoming: list[tuple[int, Record]] = []
        for position, item in enumerate(self.items, start=self.offset + 1):
            if isinstance(item, Rejection):
                self.reject(item.position, item.identifier, item.field, item.reason)
            elif self._check(position, item):
                incoming.append((position, item))
        known = self._known({record.key for _, record in incoming})
        organisations = self._organisations([record for _, record in incoming])
        for _, record in incoming:
            digest = content_hash(record)
            before = pending.get(record.key)
            reference = (
                _Known(0, before.record.published_on, before.digest, self.decp_import.pk, "")
                if before is not None
                else known.get(record.key)
            )
            if reference is not None and reference.import_id == self.decp_import.pk:
                self.counts.repeated += 1
            if reference is None:
                self.counts.created += 1
                pending[record.key] = _Pending(record, digest, None)
                continue
            newer = _is_newer(record.published_on, reference.published_on)
            if newer is False:
                self.counts.unchanged += 1
                self.counts.outdated += 1
            elif newer is None and (digest == reference.digest or self._same_file_again(reference)):
                self.counts.unchanged += 1
            else:
                self.counts.updated += 1
                pending[record.key] = _Pending(
                    record, digest, before.existing_pk if before else reference.pk
                )
        self._save(pending, organisations)
        DecpRejection.objects.bulk_create(self.rejections, batch_size=BATCH_SIZE)
        return self.counts

    def _same_file_again(self, known: _Known) -> bool:
        """The record was written by an earlier import of this very file: a file that
        publishes one contract twice on the same date keeps its last version (the later
        one in the file wins), and importing the file again must not flip between them."""
        return (
            known.import_id != self.decp_import.pk
            and bool(known.file_hash)
            and known.file_hash == self.decp_import.file_hash
        )

    def _known(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], _Known]:
        """The records already imported in the network with these keys, in one query."""
        if not keys:
            return {}
        rows = DecpRecord.objects.filter(pk__in=_ids_by_key(self.network.pk, keys)).values_list(
            "pk",
            "buyer_siret",
            "identifier",
            "published_on",
            "content_hash",
            "last_import_id",
            "last_import__file_hash",
        )
        return {
            (siret, identifier): _Known(pk, published_on, digest, import_id, file_hash or "")
            for pk, siret, identifier, published_on, digest, import_id, file_hash in rows
        }

    def _organisations(self, records: list[Record]) -> dict[str, int]:
        """Organisation ids by SIRET for the buyers, holders and subcontractors of the
        batch: those of the network (typed by hand or not) are reused, the others created
        as unconfirmed."""
        wanted: dict[str, tuple[str, str]] = {}  # siret -> (kind, name)

        def want(party: Party, kind: str) -> None:
            # The first name published wins; a buyer stays a buyer whatever else it holds.
            seen_kind, seen_name = wanted.get(party.identifier, (kind, ""))
            if kind == OrganisationKind.BUYER:
                seen_kind = kind
            wanted[party.identifier] = (seen_kind, seen_name or party.name)

        for record in records:
            want(record.buyer, OrganisationKind.BUYER)
            companies = [
                *record.holders,
                *(act.subcontractor for act in record.subcontracting if act.subcontractor),
            ]
            for party in companies:
                if has_valid_siret(party):
                    want(party, OrganisationKind.COMPANY)
        known = self.organisation_ids
        wanted = {siret: value for siret, value in wanted.items() if siret not in known}
        if not wanted:
            return known
        found = dict(
            Organisation.objects.filter(network=self.network, siret__in=wanted).values_list(
                "siret", "pk"
            )
        )
        missing = [siret for siret in wanted if siret not in found]
        if missing:
            Organisation.objects.bulk_create(
                [
                    Organisation(
                        network=self.network,
                        kind=wanted[siret][0],
                        name=_organisation_name(wanted[siret][0], siret, wanted[siret][1]),
                        siret=siret,
                        source=OrganisationSource.DECP,
                    )
                    for siret in missing
                ],
                batch_size=BATCH_SIZE,
                # Another import may create the same SIRET meanwhile: it is then reused.
                ignore_conflicts=True,
            )
            found.update(
                Organisation.objects.filter(network=self.network, siret__in=missing).values_list(
                    "siret", "pk"
                )
            )
            self.counts.organisations += sum(1 for siret in missing if siret in found)
        known.update(found)
        return known

    def _save(
        self, pending: dict[tuple[str, str], _Pending], organisations: dict[str, int]
    ) -> None:
        now = timezone.now()
        moment = connection.ops.adapt_datetimefield_value(now)
        new_rows: list[tuple[Any, ...]] = []
        to_update: list[DecpRecord] = []
        for item in pending.values():
            buyer_id = organisations[item.record.buyer.identifier]
            if item.existing_pk:
                to_update.append(self._row(item, buyer_id, now))
            else:
                new_rows.append(self._new_row(item, buyer_id, moment))
        record_ids = {key: item.existing_pk for key, item in pending.items() if item.existing_pk}
        if new_rows:
            insert_rows(DecpRecord, NEW_RECORD_FIELDS, new_rows)
            record_ids.update(self._ids({row[2:4] for row in new_rows}))
        if to_update:
            DecpRecord.objects.bulk_update(to_update, PUBLISHED_FIELDS, batch_size=250)
            DecpHolder.objects.filter(record__in=[row.pk for row in to_update]).delete()
        holder_rows = [
            (record_ids[item.record.key], organisations[holder.identifier], rank)
            for item in pending.values()
            for rank, holder in enumerate(
                (holder for holder in item.record.holders if has_valid_siret(holder)), start=1
            )
            if holder.identifier in organisations
        ]
        if holder_rows:
            insert_rows(DecpHolder, ("record_id", "organisation_id", "rank"), holder_rows)

    def _ids(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The ids of the network's records with these keys (the records just inserted:
        neither ``COPY`` nor ``executemany`` return them)."""
        rows = DecpRecord.objects.filter(pk__in=_ids_by_key(self.network.pk, keys)).values_list(
            "buyer_siret", "identifier", "pk"
        )
        return {(siret, identifier): pk for siret, identifier, pk in rows}

    def _new_row(self, item: _Pending, buyer_id: int, moment: Any) -> tuple[Any, ...]:
        """The values of a new record, in the order of ``NEW_RECORD_FIELDS``, as the
        database takes them (the JSON columns as text, ``moment`` as the backend keeps a
        date and time)."""
        record = item.record
        return (
            self.network.pk,
            buyer_id,
            record.buyer.identifier,
            record.identifier,
            str(record.kind),
            str(record.version),
            record.object,
            record.cpv_code[:12],
            record.procedure[:200],
            record.nature[:100],
            _amount(record),
            _duration(record),
            record.notified_on,
            record.published_on,
            record.place_code[:20],
            record.place_kind[:40],
            record.place_name[:200],
            _json_list(record.social_considerations),
            _json_list(record.environmental_considerations),
            record.has_social_consideration,
            record.has_environmental_consideration,
            record.reserved and record.has_social_consideration,
            json.dumps([_party_json(holder) for holder in record.holders]),
            _json_list(_as_json_list(record.subcontracting)),
            _json_list(_as_json_list(record.modifications)),
            _json_list(record.corrections),
            item.digest,
            self.decp_import.pk,
            moment,
            moment,
        )

    def _row(self, item: _Pending, buyer_id: int, now: Any) -> DecpRecord:
        record = item.record
        row = DecpRecord(
            pk=item.existing_pk,
            network=self.network,
            buyer_id=buyer_id,
            buyer_siret=record.buyer.identifier,
            identifier=record.identifier,
            kind=str(record.kind),
            format_version=str(record.version),
            object=record.object,
            cpv_code=record.cpv_code[:12],
            procedure=record.procedure[:200],
            nature=record.nature[:100],
            amount=_amount(record),
            duration_months=_duration(record),
            notified_on=record.notified_on,
            published_on=record.published_on,
            place_code=record.place_code[:20],
            place_kind=record.place_kind[:40],
            place_name=record.place_name[:200],
            social_considerations=list(record.social_considerations),
            environmental_considerations=list(record.environmental_considerations),
            has_social=record.has_social_consideration,
            has_environmental=record.has_environmental_consideration,
            reserved=record.reserved and record.has_social_consideration,
            published_holders=[_party_json(holder) for holder in record.holders],
            subcontracting=_as_json_list(record.subcontracting),
            modifications=_as_json_list(record.modifications),
            corrections=list(record.corrections),
            content_hash=item.digest,
            last_import=self.decp_import,
            updated_at=now,
        )
        return row


def _ids_by_key(network_id: int, keys: set[tuple[str, str]]) -> RawSQL:
    """The ids of the network's records with these keys, one probe of the unique key per
    key, whatever the planner believes of the table.

    The ORM's ``buyer_siret IN (…) AND identifier IN (…)`` makes SQLite cross every buyer
    of a batch with every id (about 126 × 1,000 probes). PostgreSQL, during a first
    import, still counts the network's records as they were at its last ``ANALYZE`` (a
    few hundred where there are now 200,000): joined to the keys it reads every record of
    the network, a batch slower than the one before. The lateral subquery, kept apart by
    its ``LIMIT``, is a probe per key; the keys travel as two arrays, a query of the same
    text for every batch."""
    table = connection.ops.quote_name(DecpRecord._meta.db_table)
    if connection.vendor == "postgresql":
        sirets, identifiers = zip(*keys, strict=True)
        return RawSQL(
            "SELECT known.id FROM unnest(%s::text[], %s::text[]) AS wanted (siret, identifier) "
            f"CROSS JOIN LATERAL (SELECT probe.id FROM {table} AS probe "
            "WHERE probe.network_id = %s AND probe.buyer_siret = wanted.siret "
            "AND probe.identifier = wanted.identifier LIMIT 1) AS known",
            (list(sirets), list(identifiers), network_id),
        )
    values = ", ".join(["(%s, %s)"] * len(keys))
    return RawSQL(
        f"SELECT known.id FROM (VALUES {values}) AS wanted CROSS JOIN {table} AS known "
        "WHERE known.network_id = %s AND known.buyer_siret = wanted.column1 "
        "AND known.identifier = wanted.column2",
        (*(part for key in keys for part in key), network_id),
    )


def _json_list(items: Sequence[Any]) -> str:
    # Most of these lists are empty: json.dumps costs more than the test.
    return json.dumps(list(items)) if items else "[]"


def _amount(record: Record) -> Decimal | None:
    return record.amount if record.amount is not None and record.amount > 0 else None


def _duration(record: Record) -> int | None:
    duration = record.duration_months
    return duration if duration is not None and duration >= 0 else None


def insert_rows(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows given as tuples of database values (JSON already as text).

    Why not ``bulk_create``: it prepares each field of each row through the ORM, the
    largest cost of a first import (about 40 %), and SQLite then takes 30 rows per
    statement. Here PostgreSQL reads the rows with one ``COPY``, SQLite with one
    ``executemany``. The values must be clean already: nothing is checked but by the
    database's constraints. Ids are not returned; look them up by a unique key."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _organisation_name(kind: str, siret: str, name: str) -> str:
    name = " ".join(name.split())
    if name:
        return name[:250]
    label = "Acheteur" if kind == OrganisationKind.BUYER else "Entreprise"
    return f"{label} SIRET {siret}"


# Clause opportunities: the network's settings -------------------------------------------

OPPORTUNITY_SETTINGS_FIELDS = ("cpv_prefixes", "min_amount", "min_duration_months")
MAX_OPPORTUNITY_AMOUNT = Decimal("999999999999.99")


def _opportunity_settings_errors(
    prefixes: Sequence[CpvPrefix], min_amount: Decimal, min_duration_months: int
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for position, item in enumerate(prefixes, start=1):
        if not valid_prefix(item.prefix):
            errors.setdefault("cpv_prefixes", []).append(
                f"Ligne {position} : le préfixe CPV « {item.prefix} » doit compter de "
                f"{MIN_PREFIX_DIGITS} à {MAX_PREFIX_DIGITS} chiffres."
            )
        elif item.prefix in seen:
            errors.setdefault("cpv_prefixes", []).append(
                f"Ligne {position} : le préfixe CPV « {item.prefix} » est déjà dans la liste."
            )
        if not item.label.strip():
            errors.setdefault("cpv_prefixes", []).append(
                f"Ligne {position} : donnez un libellé au préfixe CPV « {item.prefix} »."
            )
        seen.add(item.prefix)
    if not prefixes:
        errors["cpv_prefixes"] = ["Indiquez au moins un préfixe CPV de travaux ou de services."]
    if not min_amount.is_finite() or not 0 <= min_amount <= MAX_OPPORTUNITY_AMOUNT:
        errors["min_amount"] = ["Le montant minimal doit être un montant positif ou nul."]
    if not 0 <= min_duration_months <= MAX_MIN_DURATION_MONTHS:
        errors["min_duration_months"] = [
            f"La durée minimale est comprise entre 0 et {MAX_MIN_DURATION_MONTHS} mois."
        ]
    return errors


@transaction.atomic
def opportunity_settings_set(
    *,
    user: User,
    network: Network,
    prefixes: Sequence[CpvPrefix],
    min_amount: Decimal,
    min_duration_months: int,
) -> OpportunitySettings:
    """Set which contracts the network counts as clause opportunities, and record the
    change in the network's DECP history. Only a coordinator of the network may.

    The network's settings row is created by its first change; a change that changes
    nothing writes nothing."""
    if network.pk not in scope_for(user).coordinated_network_ids:
        raise PermissionDenied(
            "Seule la coordination du réseau modifie les réglages des opportunités."
        )
    errors = _opportunity_settings_errors(prefixes, min_amount, min_duration_months)
    if errors:
        raise ValidationError(errors)
    # Lock the network so that two coordinators saving at once write one history each.
    Network.objects.select_for_update().filter(pk=network.pk).first()
    current = OpportunitySettings.objects.filter(network=network).first()
    settings_row = current or OpportunitySettings(network=network)
    before = snapshot(settings_row, OPPORTUNITY_SETTINGS_FIELDS)
    settings_row.cpv_prefixes = [
        {"prefix": item.prefix, "label": item.label.strip()} for item in prefixes
    ]
    settings_row.min_amount = min_amount.quantize(Decimal("0.01"))
    settings_row.min_duration_months = min_duration_months
    after = snapshot(settings_row, OPPORTUNITY_SETTINGS_FIELDS)
    changed_before, changed_after = only_changes(before, after)
    if current is not None and not changed_after:
        return settings_row
    settings_row.save()
    DecpEvent.objects.create(
        network=network,
        actor=user,
        action=DecpEventAction.OPPORTUNITY_SETTINGS_UPDATED,
        object_type="opportunitysettings",
        object_id=settings_row.pk,
        before=changed_before,
        after=changed_after,
    )
    return settings_row


# Following a record as a contract ----------------------------------------------------------


@transaction.atomic
def record_follow(
    *,
    actor: User,
    record: DecpRecord,
    clause: dict[str, Any] | None,
    **contract_fields: Any,
) -> Contract:
    """Follow a published contract in Tremplin: create the contract (through procurement's
    service, with its validation and history) and link the record to it.

    The organisations read in open data that the contract names (buyer, holder,
    co-contractors, subcontractors) are confirmed on the way: a facilitator who picks
    them for a contract they follow vouches for them, and a followed contract must not
    rest on organisations still set apart. A record is followed once; a newer
    publication never touches the contract (the import leaves ``contract`` alone)."""
    locked = DecpRecord.objects.select_for_update().get(pk=record.pk)
    if locked.contract_id is not None:
        raise ValidationError("Ce marché des données ouvertes est déjà suivi dans Tremplin.")
    facilitator = contract_fields.get("facilitator")
    if facilitator is None or facilitator.pk not in scope_for(actor).facilitator_ids:
        raise PermissionDenied("Seules les structures de facilitation suivent un marché.")
    if facilitator.network_id != locked.network_id:
        raise ValidationError(
            {"facilitator": "Cette structure n'appartient pas au réseau de ce marché."}
        )
    contract = contract_create_with_clause(actor=actor, clause=clause, **contract_fields)
    parties = [
        contract.buyer,
        contract.awarded_company,
        *contract_fields.get("co_contractors", ()),
        *contract_fields.get("subcontractors", ()),
    ]
    confirmed: list[int] = []
    for organisation in parties:
        if (
            organisation is not None
            and organisation.awaits_confirmation
            and organisation.pk not in confirmed
        ):
            organisation_confirm(actor=actor, organisation=organisation)
            confirmed.append(organisation.pk)
    # An update of the link only: ``updated_at`` keeps telling when the data was published.
    DecpRecord.objects.filter(pk=locked.pk).update(contract=contract)
    record.contract = contract
    DecpEvent.objects.create(
        network_id=locked.network_id,
        actor=actor,
        action=DecpEventAction.RECORD_FOLLOWED,
        object_type="decprecord",
        object_id=locked.pk,
        before={"contract": None},
        after={
            "contract": contract.pk,
            "reference": contract.reference,
            "confirmed_organisations": confirmed,
        },
    )
    return contract
