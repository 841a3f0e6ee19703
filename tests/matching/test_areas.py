"""Which prescribers see a hiring need: the départements of their area."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tremplin.matching.areas import covers, department_of, parse_departments


@pytest.mark.parametrize(
    ("postal_code", "department"),
    [
        ("91300", "91"),
        ("01000", "01"),
        ("97600", "976"),
        ("97410", "974"),
        ("20000", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        (" 91 300 ", "91"),
        ("9130", ""),
        ("ABCDE", ""),
        ("", ""),
    ],
)
def test_the_department_of_a_postal_code(postal_code: str, department: str) -> None:
    assert department_of(postal_code) == department


def test_an_area_is_typed_with_any_separator() -> None:
    assert parse_departments("91, 78 ;2a  976") == {"91", "78", "2A", "976"}
    assert parse_departments("  ") == frozenset()


def test_an_empty_area_covers_the_whole_network() -> None:
    assert covers("", "91300")
    assert covers("", "")


def test_an_area_covers_only_its_departments() -> None:
    assert covers("91, 78", "91300")
    assert not covers("91, 78", "75011")
    # A need without a postal code is shown only to prescribers of the whole territory.
    assert not covers("91", "")


@given(st.from_regex(r"\A(0[1-9]|[1-8][0-9]|9[0-5])[0-9]{3}\Z"))
def test_a_metropolitan_postal_code_belongs_to_its_first_two_digits(postal_code: str) -> None:
    if postal_code.startswith("20"):
        # Corsica: 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse, no other.
        expected = {"0": "2A", "1": "2A", "2": "2B", "6": "2B"}.get(postal_code[2], "")
        assert department_of(postal_code) == expected
    else:
        assert covers(postal_code[:2], postal_code)
