"""The daily digest: one French email per facilitator with something to deal with."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.factories import ContractFactory, PlacementFactory, UserFactory, member_of
from tremplin.organisations.models import Membership

TODAY = datetime.date(2026, 11, 22)


def late_contract(organisation, reference: str):  # type: ignore[no-untyped-def]
    """A contract with nothing realised and nothing declared since January."""
    contract = ContractFactory(
        facilitator=organisation,
        hours=3640,
        reference=reference,
        execution_start=datetime.date(2026, 1, 1),
        execution_end=datetime.date(2026, 12, 31),
    )
    PlacementFactory(contract=contract, start_date=datetime.date(2026, 1, 1), end_date=None)
    return contract


def digest(**options: object) -> str:
    out = StringIO()
    call_command("send_digest", date="2026-11-22", stdout=out, **options)
    return out.getvalue()


def test_each_facilitator_gets_the_alerts_of_their_structures(structure, other_structure, settings):
    settings.TREMPLIN_SITE_URL = "https://tremplin.example.org"
    mine = late_contract(structure.organisation, "2025-REC-003")
    late_contract(other_structure.organisation, "AUTRE-001")

    output = digest()

    assert "2 courriels envoyés." in output
    by_recipient = {message.to[0]: message for message in mail.outbox}
    message = by_recipient[structure.user.email]
    assert message.subject.startswith("Tremplin — ")
    assert "au 22/11/2026" in message.subject
    assert "2025-REC-003" in message.body
    assert "AUTRE-001" not in message.body
    assert f"https://tremplin.example.org/marches/{mine.pk}/" in message.body
    assert "https://tremplin.example.org/marches/?status=late" in message.body
    assert "pour octobre 2026 sur 1 mise en emploi du marché 2025-REC-003" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="https://tremplin.example.org/marches/{mine.pk}/"' in html
    assert "AUTRE-001" in by_recipient[other_structure.user.email].body


def test_nobody_is_written_to_when_there_is_nothing_to_report(structure):
    output = digest()

    assert mail.outbox == []
    assert "0 courriel envoyé." in output


def test_inactive_users_users_without_email_and_non_facilitators_get_nothing(structure, network):
    from tests.factories import CompanyFactory

    late_contract(structure.organisation, "2025-REC-003")
    inactive = member_of(structure.organisation, is_active=False)
    Membership.objects.filter(user=structure.user).delete()
    member_of(CompanyFactory(network=network))
    with_email = member_of(structure.organisation)
    without_email = UserFactory(email="")
    Membership.objects.create(user=without_email, organisation=structure.organisation)

    digest()

    assert [message.to for message in mail.outbox] == [[with_email.email]]
    assert inactive.email not in str([message.to for message in mail.outbox])


def test_a_dry_run_prints_the_emails_and_sends_none(structure):
    late_contract(structure.organisation, "2025-REC-003")

    output = digest(dry_run=True)

    assert mail.outbox == []
    assert f"À : {structure.user.email}" in output
    assert "2025-REC-003" in output
    assert "1 courriel à envoyer (simulation : aucun n'a été envoyé)." in output


def test_an_invalid_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_digest", date="22/11/2026")


@pytest.mark.parametrize("size", [1, 6])
def test_the_digest_does_not_query_per_contract(structure, size, django_assert_max_num_queries):
    for index in range(size):
        late_contract(structure.organisation, f"2025-REC-{index:03d}")
    member_of(structure.organisation)  # two members, the same structure

    with django_assert_max_num_queries(11):
        digest()

    assert len(mail.outbox) == 2
