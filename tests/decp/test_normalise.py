"""The DECP normaliser: real files, the mess they hold, and malformed records."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fr import siret as stdnum_siret

from tremplin.decp.normalise import cpv_check_digit, normalise, normalise_file, siret_is_valid
from tremplin.decp.records import DecpRecord, FormatVersion, Party, RecordKind, Rejection

DATA = Path(__file__).resolve().parent.parent / "data" / "decp"
BUYER = "21750001600019"  # a valid SIRET (Ville de Paris)
HOLDER = "55204599900869"


def from_file(name: str) -> list[DecpRecord | Rejection]:
    with (DATA / name).open("rb") as stream:
        return list(normalise_file(stream))


def records_of(name: str) -> dict[str, DecpRecord]:
    return {
        result.identifier: result for result in from_file(name) if isinstance(result, DecpRecord)
    }


def raw_of(name: str, identifier: str) -> dict[str, Any]:
    records = json.loads((DATA / name).read_bytes())["marches"]
    return next(record for record in records if record["id"] == identifier)


def contract(**fields: Any) -> DecpRecord:
    raw = {
        "id": "2024-001",
        "acheteur": {"id": BUYER},
        "montant": 1000,
        "codeCPV": "45000000-7",
        "dateNotification": "2024-05-15",
        **fields,
    }
    result = normalise(raw, 1)
    assert isinstance(result, DecpRecord), result
    return result


def rejection(raw: Any, kind: RecordKind = RecordKind.CONTRACT) -> Rejection:
    result = normalise(raw, 7, kind)
    assert isinstance(result, Rejection), result
    return result


# --- every file of the data folder ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "imported", "rejected"),
    [
        ("v1-real-e-marchespublics-2019-04.json", 470, 0),
        ("v1-real-pes-2019-04.json", 1148, 0),
        ("v2-concessions.json", 0, 2),
        ("v2-marches_avec_modifications.json", 1, 1),
        ("v2-marches_concessions.json", 1, 3),
    ],
)
def test_every_record_of_the_data_files_is_imported_or_rejected(
    name: str, imported: int, rejected: int
) -> None:
    results = from_file(name)

    assert (
        Counter(type(result).__name__ for result in results)
        == Counter({"DecpRecord": imported, "Rejection": rejected}) - Counter()
    )
    # Cleaning the same file twice gives the same records.
    assert from_file(name) == results


def test_the_official_examples_are_rejected_for_their_made_up_buyer_sirets() -> None:
    results = from_file("v2-marches_concessions.json")

    assert [result for result in results if isinstance(result, Rejection)] == [
        Rejection(
            1,
            "0612202306122024",
            "autoriteConcedante.id",
            "L'autorité concédante n'a pas de SIRET valide (« 12345678901234 »).",
        ),
        Rejection(
            2,
            "0612202306122023",
            "autoriteConcedante.id",
            "L'autorité concédante n'a pas de SIRET valide (« 12345678901250 »).",
        ),
        Rejection(
            3, "TEST2022", "acheteur.id", "L'acheteur n'a pas de SIRET valide (« 21750001630066 »)."
        ),
    ]


def test_the_real_v1_files_give_buyers_holders_and_dates() -> None:
    record = records_of("v1-real-pes-2019-04.json")["2019I1703000"]

    assert record.version is FormatVersion.V1
    assert record.kind is RecordKind.CONTRACT
    assert record.key == ("13001898900017", "2019I1703000")
    assert record.buyer == Party("13001898900017", "INOVALYS")
    assert record.holders == (Party("85480074501125", "AXIMA CONCEPT"),)
    # « 2018-12-17+01:00 »: the time zone suffix is dropped.
    assert record.notified_on == date(2018, 12, 17)
    assert record.published_on == date(2019, 3, 19)
    assert record.amount == Decimal("153900.00")
    assert record.cpv_code == "50700000-2"
    assert record.duration_months == 38
    # Two spaces in the published object are one.
    assert record.object == (
        "MAINTENANCE DES INSTALLATIONS DE CHAUFFAGE / VENTILATION / CLIMATISATION POUR "
        "INOVALYS NANTES-VERTOU"
    )
    assert record.corrections == ()


def test_an_amount_of_0_is_no_amount() -> None:
    assert raw_of("v1-real-pes-2019-04.json", "2018S-REPASCRE")["montant"] == 0

    record = records_of("v1-real-pes-2019-04.json")["2018S-REPASCRE"]

    assert record.amount is None
    assert "Montant 0 ignoré (« montant »)." in record.corrections


def test_a_cpv_code_without_its_check_digit_gets_it() -> None:
    assert raw_of("v1-real-e-marchespublics-2019-04.json", "2018MA181101")["codeCPV"] == "45314000"

    record = records_of("v1-real-e-marchespublics-2019-04.json")["2018MA181101"]

    assert record.cpv_code == "45314000-1"
    assert record.corrections == ("Chiffre de contrôle ajouté au code CPV « 45314000 ».",)


def test_broken_accents_are_repaired() -> None:
    raw = raw_of("v1-real-pes-2019-04.json", "2018MAPA0800")
    assert raw["objet"] == "Mise en Å\x93uvre du DOCOB Natura 2000 site nÂ°208"

    record = records_of("v1-real-pes-2019-04.json")["2018MAPA0800"]

    assert record.object == "Mise en œuvre du DOCOB Natura 2000 site n°208"
    assert "Accents réparés dans « objet »." in record.corrections


def test_html_entities_are_decoded() -> None:
    record = records_of("v1-real-pes-2019-04.json")["2019I1800000"]

    assert record.object.startswith("ACHAT D’UN APPAREIL DE CHROMATOGRAPHIE")
    assert "Entités HTML décodées dans « objet »." in record.corrections


def test_codes_that_are_not_cpv_codes_are_dropped() -> None:
    records = records_of("v1-real-pes-2019-04.json")

    # A date typed in the code's place, and a placeholder.
    assert records["20190100"].cpv_code == ""
    assert "Code CPV illisible ignoré (« 20190128-1 »)." in records["20190100"].corrections
    assert records["2019DV0500"].cpv_code == ""
    # Codes of the CPV 2003 still in use in 2019 are kept.
    assert records["2018000000004300"].cpv_code == "74322000-1"


def test_holders_without_a_siret_are_kept_as_published() -> None:
    records = records_of("v1-real-pes-2019-04.json") | records_of(
        "v1-real-e-marchespublics-2019-04.json"
    )

    assert records["201960492500"].holders == (
        Party("ESB66484189", "INVENTA INGENIERIA Y CONSTRUCCION S.L.", "TVA"),
    )
    invalid = records["2019A1901900"]
    assert invalid.holders == (Party("00083418700999", "SEMKIOSK .", "SIRET"),)
    assert (
        "SIRET invalide pour le titulaire « SEMKIOSK . » (« 00083418700999 »)."
        in invalid.corrections
    )


def test_the_v2_example_contract() -> None:
    record = records_of("v2-marches_avec_modifications.json")["TEST2022Bis"]

    assert record.version is FormatVersion.V2
    assert record.buyer == Party("21750001630040")
    assert record.cpv_code == "45000000-7"
    assert record.amount == Decimal("575000.00")
    assert record.notified_on == date(2024, 5, 15)
    assert record.place_code == "75000"
    assert record.place_kind == "Code postal"
    assert record.holders == (Party(HOLDER, "", "SIRET"),)
    assert record.social_considerations == ("Clause sociale", "Critère social")
    assert record.environmental_considerations == ("Clause environnementale",)
    assert record.has_social_consideration
    assert not record.reserved
    (act,) = record.subcontracting
    assert act.subcontractor == Party("214356")
    assert act.amount == Decimal("123456.89")
    assert act.notified_on == date(2023, 10, 11)
    (modification,) = record.modifications
    assert modification.identifier == "1"
    assert modification.amount == Decimal("123457.87")
    assert modification.duration_months == 12
    assert modification.notified_on == date(2022, 10, 18)
    assert modification.published_on == date(2022, 10, 20)
    assert modification.holders == (Party("868768687576575"),)


def test_the_v2_example_concession_with_a_real_siret() -> None:
    raw = json.loads((DATA / "v2-marches_concessions.json").read_bytes())["marches"][
        "contrat-concession"
    ][0]
    raw["autoriteConcedante"] = {"id": BUYER}

    record = normalise(raw, 1, RecordKind.CONCESSION, FormatVersion.V2)

    assert isinstance(record, DecpRecord)
    assert record.kind is RecordKind.CONCESSION
    assert record.buyer == Party(BUYER)
    assert record.amount == Decimal("10.30")  # « valeurGlobale »
    assert record.notified_on == date(2024, 4, 2)  # « dateSignature »
    assert [holder.identifier for holder in record.holders] == ["38103128500491", "38103128500574"]
    assert record.social_considerations == ("Clause sociale", "Critère social")
    (modification,) = record.modifications
    assert modification.amount == Decimal("25.00")
    assert modification.notified_on == date(2023, 4, 19)


# --- one field at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2018-12-17+01:00", date(2018, 12, 17)),
        ("2024-05-15", date(2024, 5, 15)),
        ("2024-05-15T00:00:00Z", date(2024, 5, 15)),
        ("2024-05-15 10:30", date(2024, 5, 15)),
        ("17/12/2018", date(2018, 12, 17)),
        ("2019-02-30", None),
        ("0001-01-01", None),
        ("hier", None),
        (20190128, None),
    ],
)
def test_dates(published: object, expected: date | None) -> None:
    record = contract(dateNotification=published)

    assert record.notified_on == expected
    if expected is None:
        assert f"Date illisible ignorée (« dateNotification » : {published})." in (
            record.corrections
        )


def test_a_record_without_notification_date_is_kept() -> None:
    record = contract(dateNotification=None)

    assert record.notified_on is None
    assert "Date de notification absente." in record.corrections


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (575000, Decimal("575000.00")),
        (Decimal("38209.72"), Decimal("38209.72")),
        (38209.72, Decimal("38209.72")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u202f234,5 €", Decimal("1234.50")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("12,5", Decimal("12.50")),
        ("0", None),
        (0, None),
        (-300, None),
        ("", None),
        (None, None),
        (1e15, None),
    ],
)
def test_amounts(published: object, expected: Decimal | None) -> None:
    assert contract(montant=published).amount == expected


@pytest.mark.parametrize("published", ["abc", "12 000 euros environ", True, [100], {"v": 1}, "NaN"])
def test_an_amount_that_is_not_a_number_rejects_the_record(published: object) -> None:
    result = rejection({"id": "X", "acheteur": {"id": BUYER}, "montant": published})

    assert result.field == "montant"
    assert result.reason.startswith("Le montant n'est pas un nombre lisible (« ")


@pytest.mark.parametrize(
    ("published", "expected", "corrected"),
    [
        ("45000000-7", "45000000-7", False),
        ("45000000", "45000000-7", True),
        ("45000000 7", "45000000-7", False),
        ("450000007", "45000000-7", False),
        (45000000, "45000000-7", True),
        ("45000000-7 Travaux de construction", "45000000-7", False),
        ("3300000-2", "03300000-2", True),  # lost its leading zero on the way
        ("4500000", "", True),
        ("4500", "", True),
        ("00000000-1", "", True),
        ("Sans objet", "", True),
    ],
)
def test_cpv_codes(published: object, expected: str, corrected: bool) -> None:
    record = contract(codeCPV=published)

    assert record.cpv_code == expected
    assert bool(record.corrections) == corrected


def test_the_cpv_check_digit_of_well_known_codes() -> None:
    assert [
        cpv_check_digit(code)
        for code in ("45000000", "48000000", "48217100", "50700000", "38432000")
    ] == [7, 8, 3, 2, 2]


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (
            {"considerationSociale": ["Clause sociale", "Critère social"]},
            ("Clause sociale", "Critère social"),
        ),
        ({"considerationSociale": "Marché réservé"}, ("Marché réservé",)),
        (["Clause sociale"], ("Clause sociale",)),
        ("Clause sociale, Critère social", ("Clause sociale", "Critère social")),
        ("clause sociale;critere social", ("Clause sociale", "Critère social")),
        ({"considerationSociale": ["Pas de considération sociale"]}, ()),
        ("Sans objet", ()),
        ([], ()),
        (None, ()),
        (12, ()),
    ],
)
def test_social_considerations(published: object, expected: tuple[str, ...]) -> None:
    assert contract(considerationsSociales=published).social_considerations == expected


def test_reserved_contracts_and_unknown_considerations() -> None:
    record = contract(
        considerationsSociales="Marché réservé, Insertion",
        considerationsEnvironnementales={"considerationEnvironnementale": ["Sans objet"]},
    )

    assert record.reserved
    assert record.social_considerations == ("Marché réservé", "Insertion")
    assert record.environmental_considerations == ()
    assert "Considération inconnue conservée (« Insertion »)." in record.corrections


def test_holders_flat_wrapped_or_wrapped_as_a_whole() -> None:
    flat = contract(
        titulaires=[{"typeIdentifiant": "SIRET", "id": HOLDER, "denominationSociale": "A"}]
    )
    wrapped = contract(titulaires=[{"titulaire": {"id": HOLDER, "denominationSociale": "A"}}])
    whole = contract(titulaires={"titulaire": [{"id": f"{HOLDER[:3]} {HOLDER[3:]}", "nom": "A"}]})

    assert flat.holders == wrapped.holders == whole.holders == (Party(HOLDER, "A"),)


def first_siret_starting_with_zero() -> str:
    return next(
        candidate
        for candidate in (f"0{number:013d}" for number in range(10**12, 10**13, 7919))
        if stdnum_siret.is_valid(candidate)
    )


def test_a_siret_published_as_a_number_gets_its_leading_zero_back() -> None:
    siret = first_siret_starting_with_zero()

    record = contract(acheteur={"id": int(siret)})

    assert record.buyer.identifier == siret
    assert f"Zéro initial rétabli dans le SIRET « {siret[1:]} »." in record.corrections


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ([1, 2], "", "L'enregistrement n'est pas un objet JSON (« { … } »)."),
        ({"acheteur": {"id": BUYER}}, "id", "L'identifiant du marché est absent."),
        ({"id": "  ", "acheteur": {"id": BUYER}}, "id", "L'identifiant du marché est absent."),
        ({"id": "A"}, "acheteur.id", "L'acheteur n'a pas de SIRET (« acheteur.id » absent)."),
        (
            {"id": "A", "acheteur": {"nom": "Mairie"}},
            "acheteur.id",
            "L'acheteur n'a pas de SIRET (« acheteur.id » absent).",
        ),
        (
            {"id": "A", "acheteur": {"id": "1234"}},
            "acheteur.id",
            "L'acheteur n'a pas de SIRET valide (« 1234 »).",
        ),
        (
            {"id": "A", "acheteur": {"id": "21750001600018"}},
            "acheteur.id",
            "L'acheteur n'a pas de SIRET valide (« 21750001600018 »).",
        ),
        (
            {"id": "A", "autoriteConcedante": {"id": "x"}},
            "autoriteConcedante.id",
            "L'autorité concédante n'a pas de SIRET valide (« x »).",
        ),
    ],
)
def test_records_that_cannot_be_used_are_rejected_with_their_reason(
    raw: object, field: str, reason: str
) -> None:
    result = rejection(raw)

    assert (result.position, result.field, result.reason) == (7, field, reason)


def test_a_rejection_names_the_record_when_it_can() -> None:
    assert rejection({"id": 42, "acheteur": "1234"}).identifier == "42"


def test_the_version_is_told_by_the_record() -> None:
    assert contract(_type="Marché").version is FormatVersion.V1
    assert contract(considerationsSociales="Sans objet").version is FormatVersion.V2
    assert contract(titulaires=[{"titulaire": {"id": HOLDER}}]).version is FormatVersion.V2
    v2_hint = normalise({"id": "A", "acheteur": {"id": BUYER}}, 1, version_hint=FormatVersion.V2)
    assert isinstance(v2_hint, DecpRecord)
    assert v2_hint.version is FormatVersion.V2


def test_duplicated_v1_modifications_count_once() -> None:
    modification = {
        "objetModification": "Avenant 1",
        "montant": 100,
        "dateNotificationModification": "2019-02-15+01:00",
    }

    record = contract(modifications=[modification, modification, dict(modification, montant=200)])

    assert [(m.identifier, m.amount) for m in record.modifications] == [
        ("1", Decimal("100.00")),
        ("3", Decimal("200.00")),
    ]
    assert "Modification publiée en double ignorée." in record.corrections


def test_a_stream_of_raw_records_with_both_outcomes() -> None:
    data = json.dumps(
        {"marches": {"marche": [{"id": "A", "acheteur": {"id": BUYER}}, {"id": "B"}, "x"]}}
    ).encode()

    results = list(normalise_file(io.BytesIO(data)))

    assert [type(result).__name__ for result in results] == ["DecpRecord", "Rejection", "Rejection"]
    assert [getattr(result, "position", None) for result in results[1:]] == [2, 3]


# --- properties -----------------------------------------------------------------------------

FIELDS = [
    "id",
    "acheteur",
    "autoriteConcedante",
    "objet",
    "codeCPV",
    "procedure",
    "nature",
    "montant",
    "valeurGlobale",
    "dureeMois",
    "dateNotification",
    "dateSignature",
    "datePublicationDonnees",
    "lieuExecution",
    "titulaires",
    "concessionnaires",
    "considerationsSociales",
    "considerationsEnvironnementales",
    "actesSousTraitance",
    "modifications",
    "_type",
    "uid",
    "titulaire",
    "modification",
    "acteSousTraitance",
    "sousTraitant",
    "considerationSociale",
    "id",
    "nom",
    "denominationSociale",
    "typeIdentifiant",
    "code",
    "typeCode",
    "objetModification",
    "dateNotificationModification",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            BUYER,
            HOLDER,
            "2018-12-17+01:00",
            "17/12/2018",
            "45000000",
            "1 234,56",
            "Sans objet",
            "Clause sociale, Critère social",
            "MarchÃ©",
            "&#8211;",
            "0",
            "",
            " ",
            "SIRET",
            "TVA",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=25,
)
raw_records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12)


def assert_sane(result: DecpRecord | Rejection) -> None:
    assert isinstance(result, (DecpRecord, Rejection))
    if isinstance(result, Rejection):
        assert result.reason
        assert "erreur inattendue" not in result.reason
        return
    assert result.identifier
    assert siret_is_valid(result.buyer.identifier)
    assert result.amount is None or (result.amount > 0 and result.amount.as_tuple().exponent == -2)
    assert result.cpv_code == "" or re.fullmatch(r"\d{8}-\d", result.cpv_code)
    assert result.duration_months is None or 0 < result.duration_months <= 1200
    assert all(isinstance(holder, Party) for holder in result.holders)
    assert all(isinstance(label, str) and label for label in result.social_considerations)


@given(raw_records, st.sampled_from(list(RecordKind)), st.sampled_from([None, *FormatVersion]))
def test_normalise_never_raises_on_malformed_records(
    raw: dict[str, Any], kind: RecordKind, version: FormatVersion | None
) -> None:
    assert_sane(normalise(raw, 1, kind, version))


@given(json_values)
def test_normalise_never_raises_on_any_json_value(raw: object) -> None:
    assert_sane(normalise(raw, 1))


@given(
    st.fixed_dictionaries(
        {
            "id": st.text(min_size=1, max_size=10).filter(str.strip),
            "acheteur": st.just({"id": BUYER}),
        },
        optional=dict.fromkeys(FIELDS[3:20], json_values),
    )
)
def test_a_record_with_an_id_and_a_buyer_is_kept_unless_its_amount_is_unreadable(
    raw: dict[str, Any],
) -> None:
    result = normalise(raw, 1)

    assert_sane(result)
    if isinstance(result, Rejection):
        assert result.field in ("montant", "valeurGlobale")


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_siret_check_agrees_with_stdnum(digits: str) -> None:
    assert siret_is_valid(digits) == stdnum_siret.is_valid(digits)


@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_siret_check_agrees_with_stdnum_for_la_poste(digits: str) -> None:
    siret = "356000000" + digits
    assert siret_is_valid(siret) == stdnum_siret.is_valid(siret)


def test_a_huge_negative_amount_is_set_aside_not_an_unexpected_error() -> None:
    # Found by the property test: -1e+26 once overflowed the rounding to cents.
    result = normalise({"id": "0", "acheteur": {"id": BUYER}, "montant": -1e26}, 1)
    assert isinstance(result, DecpRecord)
    assert result.amount is None
    assert any("aberrant" in correction for correction in result.corrections)
