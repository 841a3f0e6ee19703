"""Which French postal codes exist, by La Poste's rule: the département first."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.core.postal_codes import department_of, postal_code_problem


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("01000", "01"),  # Bourg-en-Bresse
        ("91300", "91"),  # Massy
        ("95000", "95"),  # Cergy
        ("20000", "2A"),  # Ajaccio
        ("20137", "2A"),  # Porto-Vecchio
        ("20200", "2B"),  # Bastia
        ("20600", "2B"),  # Furiani
        ("97100", "971"),  # Basse-Terre
        ("97133", "971"),  # Saint-Barthélemy
        ("97150", "971"),  # Saint-Martin
        ("97200", "972"),  # Fort-de-France
        ("97300", "973"),  # Cayenne
        ("97400", "974"),  # Saint-Denis
        ("97500", "975"),  # Saint-Pierre
        ("97600", "976"),  # Mamoudzou
        (" 97 620 ", "976"),
    ],
)
def test_a_real_postal_code_gives_its_department(postal_code: str, department: str) -> None:
    assert department_of(postal_code) == department
    assert postal_code_problem(postal_code) is None


def test_monaco_is_served_but_is_no_department() -> None:
    assert postal_code_problem("98000") is None
    assert department_of("98000") == ""


@pytest.mark.parametrize(
    ("postal_code", "reason"),
    [
        ("00123", "aucun département ne porte le numéro 00"),
        ("96000", "aucun département ne porte le numéro 96"),
        ("99000", "aucun département ne porte le numéro 99"),
        ("20300", "en Corse, les codes postaux commencent par 200 ou 201"),
        ("20700", "en Corse, les codes postaux commencent par 200 ou 201"),
        ("97000", "outre-mer, les codes postaux commencent par 971 à 976"),
        ("97700", "outre-mer, les codes postaux commencent par 971 à 976"),
        ("9130", "un code postal compte 5 chiffres"),
        ("913000", "un code postal compte 5 chiffres"),
        ("9I300", "un code postal compte 5 chiffres"),
    ],
)
def test_an_impossible_postal_code_says_why_in_french(postal_code: str, reason: str) -> None:
    problem = postal_code_problem(postal_code) or ""
    assert problem.startswith(f"Le code postal {postal_code} n'existe pas : ")
    assert reason in problem
    assert department_of(postal_code) == ""


@pytest.mark.parametrize("postal_code", ["98400", "98600", "98714", "98800"])
def test_the_pacific_collectivities_are_refused_with_the_reason(postal_code: str) -> None:
    assert "droit du travail et un droit de la commande publique propres" in (
        postal_code_problem(postal_code) or ""
    )


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_every_five_digit_code_is_either_placed_or_explained(postal_code: str) -> None:
    placed = department_of(postal_code) != ""
    explained = postal_code_problem(postal_code) is not None
    monaco = postal_code.startswith("980")
    assert placed + explained + monaco == 1
