"""The import service: records become rows, organisations are matched by SIRET, a second
import changes nothing, a newer publication updates and keeps what the facilitator added."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.decp.building import (
    BUYER_SIRET,
    HOLDER_SIRET,
    modification,
    record,
    rejection,
    subcontracting,
)
from tests.factories import BuyerFactory, CompanyFactory, ContractFactory, next_siret
from tremplin.decp import selectors, services
from tremplin.decp.enums import DecpEventAction
from tremplin.decp.models import DecpEvent, DecpHolder, DecpImport, DecpRecord, DecpRejection
from tremplin.decp.records import Modification, Party, Subcontracting
from tremplin.organisations.enums import OrganisationKind, OrganisationSource
from tremplin.organisations.models import Organisation


@pytest.fixture
def new_import(network):  # type: ignore[no-untyped-def]
    files = itertools.count()

    def make(file_hash: str = "") -> DecpImport:
        return services.decp_import_create(
            network=network,
            actor=None,
            file_name="decp.json",
            file_size=10,
            file_hash=file_hash or f"{next(files):064d}",
        )

    return make


def run(make, records, *, file_hash: str = "", **kwargs):  # type: ignore[no-untyped-def]
    item = make(file_hash)
    services.decp_import_claim(item, records_total=len(records))
    services.import_records(item, records, **kwargs)
    return services.decp_import_finish(item)


def test_buyers_and_holders_are_created_by_siret_and_kept_apart(network, new_import):
    item = run(new_import, [record("A"), record("B")])

    assert (item.records_read, item.created_count, item.rejected_count) == (2, 2, 0)
    assert item.organisations_created == 2
    buyer = Organisation.objects.get(siret=BUYER_SIRET)
    holder = Organisation.objects.get(siret=HOLDER_SIRET)
    assert (buyer.kind, buyer.name, buyer.network) == (
        OrganisationKind.BUYER,
        "Commune de Mamoudzou",
        network,
    )
    assert holder.kind == OrganisationKind.COMPANY
    assert buyer.awaits_confirmation
    assert holder.awaits_confirmation
    contract = DecpRecord.objects.get(identifier="A")
    assert contract.buyer == buyer
    assert list(contract.holders.all()) == [holder]
    assert contract.has_social
    assert not contract.has_environmental
    assert not contract.reserved
    assert contract.amount == Decimal("1200000.00")
    assert contract.last_import == item
    assert DecpEvent.objects.get(object_id=item.pk).action == DecpEventAction.IMPORT_DONE


def test_an_organisation_typed_by_hand_is_reused_and_left_untouched(network, new_import):
    typed = BuyerFactory(network=network, siret=BUYER_SIRET, name="Mairie de Mamoudzou")

    item = run(new_import, [record("A")])

    assert item.organisations_created == 1  # the holder only
    assert Organisation.objects.filter(siret=BUYER_SIRET).count() == 1
    typed.refresh_from_db()
    assert (typed.name, typed.source, typed.confirmed_at) == (
        "Mairie de Mamoudzou",
        OrganisationSource.MANUAL,
        None,
    )
    assert DecpRecord.objects.get().buyer == typed


def test_organisations_of_another_network_are_not_reused(network, new_import):
    elsewhere = CompanyFactory(siret=HOLDER_SIRET)  # another network

    run(new_import, [record("A")])

    assert Organisation.objects.filter(siret=HOLDER_SIRET).count() == 2
    assert DecpRecord.objects.get().holders.get().network == network
    assert elsewhere.network != network


def test_a_holder_without_a_valid_siret_is_kept_by_name_only(network, new_import):
    holders = (
        Party("12345678900000", "SIRET faux"),  # Luhn key wrong
        Party("FR123", "Bâtisseurs du Lagon", id_kind="TVA"),
        Party(HOLDER_SIRET, "Lagon BTP"),
    )
    run(new_import, [record("A", holders=holders)])

    row = DecpRecord.objects.get()
    assert [holder["name"] for holder in row.published_holders] == [
        "SIRET faux",
        "Bâtisseurs du Lagon",
        "Lagon BTP",
    ]
    assert list(DecpHolder.objects.values_list("organisation__siret", "rank")) == [
        (HOLDER_SIRET, 1)
    ]
    assert not Organisation.objects.filter(name__in=["SIRET faux", "Bâtisseurs du Lagon"]).exists()


def test_considerations_subcontracting_and_modifications_are_kept(new_import):
    run(
        new_import,
        [
            record(
                "A",
                social_considerations=("Clause sociale", "Marché réservé"),
                environmental_considerations=("Clause environnementale",),
                subcontracting=(subcontracting("50000"),),
                modifications=(modification("1300000"),),
            )
        ],
    )

    row = DecpRecord.objects.get()
    assert row.has_social
    assert row.reserved
    assert row.has_environmental
    assert row.social_considerations == ["Clause sociale", "Marché réservé"]
    assert row.subcontracting[0]["amount"] == "50000"
    assert row.subcontracting[0]["subcontractor"]["name"] == "Insertion Lagon"
    assert row.modifications[0]["amount"] == "1300000"
    assert row.modifications[0]["notified_on"] == "2025-06-01"


def test_the_same_records_twice_change_nothing(new_import):
    records = [record("A"), record("B"), rejection(3)]
    run(new_import, records, file_hash="a" * 64)
    first = DecpRecord.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")
    first = list(first)
    organisations = Organisation.objects.count()

    again = run(new_import, records, file_hash="a" * 64)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert again.rejected_count == 1
    assert again.organisations_created == 0
    assert Organisation.objects.count() == organisations
    assert (
        list(DecpRecord.objects.order_by("pk").values_list("pk", "updated_at", "content_hash"))
        == first
    )
    assert DecpHolder.objects.count() == 2


def test_a_newer_publication_updates_and_keeps_what_the_facilitator_added(network, new_import):
    run(new_import, [record("A")])
    row = DecpRecord.objects.get()
    followed = ContractFactory(facilitator__network=network)
    DecpRecord.objects.filter(pk=row.pk).update(contract=followed)
    first_seen = row.first_seen_at
    new_holder = next_siret()

    item = run(
        new_import,
        [
            record(
                "A",
                published_on=datetime.date(2025, 9, 1),
                amount=Decimal("1500000"),
                holders=(Party(new_holder, "Nouveau titulaire"),),
                social_considerations=(),
            )
        ],
    )

    assert (item.updated_count, item.unchanged_count) == (1, 0)
    row.refresh_from_db()
    assert row.amount == Decimal("1500000")
    assert not row.has_social
    assert row.published_on == datetime.date(2025, 9, 1)
    assert row.contract == followed
    assert row.first_seen_at == first_seen
    assert list(row.holders.values_list("siret", flat=True)) == [new_holder]
    assert row.last_import == item


def test_new_and_updated_records_of_one_batch_each_get_their_own_holders(new_import):
    run(new_import, [record("A")])
    first, second = next_siret(), next_siret()

    item = run(
        new_import,
        [
            record("B", holders=(Party(first, "Premier"), Party(second, "Second"))),
            record(
                "A",
                published_on=datetime.date(2025, 9, 1),
                holders=(Party(second, "Second"),),
            ),
            record("C", holders=()),
        ],
    )

    assert (item.created_count, item.updated_count) == (2, 1)
    holders: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for identifier, siret in DecpHolder.objects.order_by("record", "rank").values_list(
        "record__identifier", "organisation__siret"
    ):
        holders[identifier].append(siret)
    assert holders == {"A": [second], "B": [first, second], "C": []}
    created = DecpRecord.objects.get(identifier="B")
    assert created.first_seen_at == created.updated_at
    assert created.published_holders[0]["name"] == "Premier"
    assert created.notified_on == record("B").notified_on
    assert created.amount == record("B").amount


def test_an_older_publication_changes_nothing(new_import):
    run(new_import, [record("A", published_on=datetime.date(2025, 9, 1))])

    item = run(
        new_import,
        [record("A", published_on=datetime.date(2025, 3, 1), amount=Decimal("999"))],
    )

    assert (item.updated_count, item.unchanged_count, item.outdated_count) == (0, 1, 1)
    assert DecpRecord.objects.get().amount == Decimal("1200000.00")


def test_a_file_publishing_a_contract_twice_on_the_same_date_imports_again_unchanged(
    new_import,
):
    records = [record("A", object="Première version"), record("A", object="Seconde version")]
    first = run(new_import, records, file_hash="f" * 64)
    again = run(new_import, records, file_hash="f" * 64)

    assert (first.created_count, first.updated_count) == (1, 1)
    assert (again.updated_count, again.unchanged_count) == (0, 2)
    assert DecpRecord.objects.get().object == "Seconde version"


def test_the_same_date_with_another_content_updates(new_import):
    run(new_import, [record("A")])

    item = run(new_import, [record("A", object="Objet corrigé")])

    assert item.updated_count == 1
    assert DecpRecord.objects.get().object == "Objet corrigé"


def test_within_a_file_the_latest_publication_wins(new_import):
    item = run(
        new_import,
        [
            record("A", published_on=datetime.date(2025, 5, 1), object="Deuxième"),
            record("A", published_on=datetime.date(2025, 3, 1), object="Première"),
            record("A", published_on=datetime.date(2025, 7, 1), object="Troisième"),
        ],
    )

    assert (item.created_count, item.updated_count, item.unchanged_count) == (1, 1, 1)
    assert item.repeated_count == 2
    assert DecpRecord.objects.get().object == "Troisième"


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_a_contract_repeated_in_a_file_is_counted_as_such_across_batches(new_import, batch_size):
    records = [record("A"), record("B"), record("A", object="Objet corrigé")]

    first = run(new_import, records, batch_size=batch_size, file_hash="f" * 64)
    again = run(new_import, records, batch_size=batch_size, file_hash="f" * 64)

    assert (first.created_count, first.updated_count, first.repeated_count) == (2, 1, 1)
    # The same file again changes nothing, and says nothing of its repetitions.
    assert (again.unchanged_count, again.repeated_count) == (3, 0)


def test_rejections_are_stored_with_their_reasons(new_import):
    item = run(
        new_import,
        [
            record("A"),
            rejection(2),
            record("C", buyer=Party("123", "Acheteur sans SIRET")),
            rejection(4, "La date de notification est illisible (« 2025-13-45 »)."),
        ],
    )

    assert (item.records_read, item.created_count, item.rejected_count) == (4, 1, 3)
    rows = list(
        DecpRejection.objects.filter(decp_import=item).values_list(
            "position", "identifier", "field", "reason"
        )
    )
    assert rows == [
        (2, "R2", "acheteur.id", "L'acheteur n'a pas de SIRET valide (« 1234 »)."),
        (3, "C", "acheteur.id", "L'acheteur n'a pas de SIRET valide (« 123 »)."),
        (4, "R4", "acheteur.id", "La date de notification est illisible (« 2025-13-45 »)."),
    ]
    counts = {(reason.reason, reason.count) for reason in selectors.rejection_counts(item)}
    assert counts == {
        ("L'acheteur n'a pas de SIRET valide (« … »).", 2),
        ("La date de notification est illisible (« … »).", 1),
    }


def test_counts_grow_batch_by_batch(new_import):
    item = new_import()
    services.decp_import_claim(item, records_total=5)
    seen = []

    def records():  # type: ignore[no-untyped-def]
        for index in range(5):
            item.refresh_from_db()
            seen.append(item.records_read)
            yield record(f"N{index}")

    services.import_records(item, records(), batch_size=2)

    assert seen == [0, 0, 2, 2, 4]  # the page polls the counts written after each batch
    item.refresh_from_db()
    assert (item.records_read, item.created_count) == (5, 5)


def _queries(make, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    records = [
        record(f"Q{count}-{index}", holders=(Party(next_siret(), f"Titulaire {index}"),))
        for index in range(count)
    ]
    item = make()
    with CaptureQueriesContext(connection) as context:
        services.import_records(item, records)
    return [query["sql"] for query in context.captured_queries]


def test_queries_do_not_grow_with_the_number_of_records(new_import):
    small, large = _queries(new_import, 10), _queries(new_import, 200)

    def others(queries: list[str]) -> int:
        return sum(1 for sql in queries if sql.startswith(("SELECT", "UPDATE", "DELETE")))

    # Lookups and updates are per batch; bulk inserts split only at the database's limit
    # of parameters (SQLite), never one per record.
    assert others(large) == others(small)
    assert len(large) < 200 / 10


def test_the_digest_of_a_record_does_not_change_from_one_version_to_the_next():
    # Digests are stored: if their computation changed, every record of a file imported
    # again would come out « mis à jour » instead of « inchangé ».
    published = record(
        "2025-001",
        buyer=Party("21750001600019", "Ville de Paris"),
        holders=(
            Party("55204599900869", "Lagon BTP"),
            Party("BE0123", "Bâtiments du Nord", "TVA"),
        ),
        subcontracting=(
            Subcontracting(
                "ST-1",
                Party("55204599900869", "Insertion Lagon"),
                Decimal("50000.00"),
                6,
                datetime.date(2025, 4, 1),
                datetime.date(2025, 4, 2),
            ),
            Subcontracting("ST-2", None, None, None, None, None),
        ),
        modifications=(
            Modification(
                "1",
                "Avenant n° 1",
                Decimal("1300000.00"),
                20,
                (Party("55204599900869", "Lagon BTP"),),
                datetime.date(2025, 6, 1),
                datetime.date(2025, 6, 2),
            ),
        ),
        corrections=("Zéro initial rétabli dans le SIRET « 1234 ».",),
    )

    assert services.content_hash(published) == (
        "41d32945b965f7e775b9f1c6308f8aefc12428f376e7cdfe548ed8ab0ab81e05"
    )
    # The repairs made on the way are not part of what was published.
    assert services.content_hash(published) == services.content_hash(
        dataclasses.replace(published, corrections=())
    )
