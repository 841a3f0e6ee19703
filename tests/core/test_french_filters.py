"""Figures as a French reader expects them: grouped thousands, comma, rounded."""

from decimal import Decimal

from tremplin.core.templatetags.french import euros, percent


def test_a_share_is_rounded_not_cut() -> None:
    assert percent(Decimal(2) / Decimal(3)) == "67\u00a0%"
    assert percent(Decimal("0.3849"), 1) == "38,5\u00a0%"
    assert percent(Decimal("0.05")) == "5\u00a0%"
    assert percent(None) == "—"


def test_amounts_keep_their_cents() -> None:
    assert euros(Decimal("4341000")) == "4\u00a0341\u00a0000\u00a0€"
    assert euros(Decimal("12.505")) == "12,51\u00a0€"
