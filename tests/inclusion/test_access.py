"""One structure never sees another's participants.

Every url of the inclusion app is listed below, by what it does. A url added to the app
without being listed here makes ``test_every_url_is_covered`` fail.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ParticipantFactory, any_job
from tests.inclusion.conftest import (
    Followed,
    fingerprint,
    follow,
    months_ago,
    open_contract,
    page_text,
)
from tremplin.inclusion import pool_services
from tremplin.inclusion import urls as inclusion_urls
from tremplin.inclusion.enums import (
    HoursImportStatus,
    HoursStatus,
    IscedBand,
    LabourStatus,
    OutcomeMoment,
    OutcomeSituation,
)
from tremplin.inclusion.models import (
    EsfEntry,
    HoursEntry,
    HoursImport,
    HoursPool,
    InclusionEvent,
    Outcome,
    Participant,
    Placement,
    PooledMonth,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass(frozen=True)
class Call:
    method: str
    args: Callable[[Followed], list[int]] = lambda data: []
    data: Callable[[Followed], dict[str, Any]] = field(default=lambda data: {})

    def url(self, name: str, followed: Followed) -> str:
        return reverse(f"inclusion:{name}", args=self.args(followed))

    def send(self, client: Client, name: str, followed: Followed) -> Any:
        send = client.get if self.method == "get" else client.post
        return send(self.url(name, followed), self.data(followed))


def _participant_data(data: Followed) -> dict[str, Any]:
    return {
        "first_name": "Fatima",
        "last_name": "Changée",
        "birth_date": "1990-05-17",
        "sex": "F",
        "qualification_level": "none",
    }


def _placement_data(data: Followed) -> dict[str, Any]:
    return {
        "contract": data.contract.pk,
        "lot": "",
        "employer": data.contract.awarded_company_id,
        "execution_mode": "direct_cdd",
        "job": any_job().pk,
        "start_date": months_ago(3).isoformat(),
    }


def _hours_import(data: Followed, status: str = HoursImportStatus.INVALID) -> HoursImport:
    """A spreadsheet of the structure, with one bad row (made once per test and status)."""
    made: dict[str, HoursImport] = data.__dict__.setdefault("_hours_imports", {})
    if status not in made:
        item = HoursImport(
            organisation=data.participant.facilitator,
            file_name="heures.csv",
            file_format="csv",
            file_size=40,
            file_hash=status * 8,
            status=status,
            header_line=1,
            row_count=1,
            columns=[[0, "N° mise en emploi", None], [1, "Mois", "month"], [2, "Heures", None]],
            errors=[[2, 2, "Heures", "« x » n'est pas un nombre d'heures."]],
            error_count=1,
        )
        content = f"N° mise en emploi;Mois;Heures\n{data.placement.pk};03/2026;x\n"
        item.file.save("heures.csv", ContentFile(content.encode()), save=False)
        item.save()
        made[status] = item
    return made[status]


def _twin(data: Followed) -> Participant:
    """A second record of the followed person (made before the request, see below)."""
    made: dict[str, Participant] = data.__dict__.setdefault("_twin", {})
    if "twin" not in made:
        person = data.participant
        made["twin"] = Participant.objects.create(
            facilitator=person.facilitator,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            sex=person.sex,
        )
    return made["twin"]


@pytest.fixture(autouse=True)
def _twin_for_merge(request):  # type: ignore[no-untyped-def]
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("name") == "participant_merge":
        _twin(request.getfixturevalue("followed"))


def _outcome(data: Followed) -> Outcome:
    """The followed person's situation at exit (made before the request, see below)."""
    made: dict[str, Outcome] = data.__dict__.setdefault("_outcome", {})
    if "outcome" not in made:
        exit_date = timezone.localdate() - datetime.timedelta(days=20)
        made["outcome"] = Outcome.objects.create(
            participant=data.participant,
            moment=OutcomeMoment.EXIT,
            exit_date=exit_date,
            observed_on=exit_date,
            situation=OutcomeSituation.TRANSITION_JOB,
        )
    return made["outcome"]


def _esf_entry(data: Followed) -> EsfEntry:
    made: dict[str, EsfEntry] = data.__dict__.setdefault("_esf_entry", {})
    if "entry" not in made:
        made["entry"] = EsfEntry.objects.create(
            participant=data.participant,
            entered_on=months_ago(6),
            labour_status=LabourStatus.LONG_TERM_UNEMPLOYED,
            isced_band=IscedBand.ISCED_0_2,
        )
    return made["entry"]


@pytest.fixture(autouse=True)
def _outcome_and_esf_entry(request):  # type: ignore[no-untyped-def]
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("name", "") if callspec is not None else ""
    if name.startswith(("outcome_", "esf_entry_")):
        data = request.getfixturevalue("followed")
        _outcome(data)
        _esf_entry(data)


def _pool(data: Followed) -> HoursPool:
    """Hours of a person of the structure pooled on two contracts, with one month recorded
    (made before the request, see below)."""
    made: dict[str, HoursPool] = data.__dict__.setdefault("_pool", {})
    if "pool" not in made:
        structure = data.participant.facilitator
        company = data.contract.awarded_company
        contracts = [open_contract(structure, awarded_company=company, hours=h) for h in (300, 700)]
        pool = pool_services.pool_create(
            actor=None,
            facilitator=structure,
            participant=ParticipantFactory(facilitator=structure),
            employer=company,
            contracts=contracts,
            job=any_job(),
            execution_mode="direct_cdi",
            start_date=months_ago(6),
            end_date=timezone.localdate(),
        )
        pool_services.pooled_month_record(
            actor=None, pool=pool, month=months_ago(2), hours_worked=Decimal(100)
        )
        made["pool"] = pool
    return made["pool"]


def _pooled_month(data: Followed) -> PooledMonth:
    return PooledMonth.objects.get(pool=_pool(data))


@pytest.fixture(autouse=True)
def _pool_for_pool_urls(request):  # type: ignore[no-untyped-def]
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("name", "") if callspec is not None else ""
    if name.startswith(("pool_", "pooled_")):
        _pool(request.getfixturevalue("followed"))


def _outcome_data(data: Followed) -> dict[str, Any]:
    exit_date = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    return {
        "moment": "exit",
        "exit_date": exit_date,
        "observed_on": exit_date,
        "situation": "durable_cdi",
    }


def _esf_data(data: Followed) -> dict[str, Any]:
    return {
        "entered_on": months_ago(5).isoformat(),
        "labour_status": "unemployed",
        "isced_band": "isced_3_4",
    }


# Urls that show or change one structure's personal data: another structure gets a 404.
PERSONAL: dict[str, Call] = {
    "outcome_create": Call("post", lambda d: [d.participant.pk], _outcome_data),
    "outcome_update": Call("post", lambda d: [_outcome(d).pk], _outcome_data),
    "outcome_delete": Call("post", lambda d: [_outcome(d).pk]),
    "esf_entry_create": Call("post", lambda d: [d.participant.pk], _esf_data),
    "esf_entry_update": Call("post", lambda d: [_esf_entry(d).pk], _esf_data),
    "esf_entry_delete": Call("post", lambda d: [_esf_entry(d).pk]),
    "participant_merge": Call(
        "post",
        lambda d: [d.participant.pk, _twin(d).pk],
        lambda d: {"kept": d.participant.pk},
    ),
    "participant_detail": Call("get", lambda d: [d.participant.pk]),
    "participant_update": Call("post", lambda d: [d.participant.pk], _participant_data),
    "criterion_set": Call(
        "post",
        lambda d: [d.participant.pk],
        lambda d: {
            "criterion": d.item.criterion_id,
            "evidence": "Attestation falsifiée",
            "checked_on": timezone.localdate().isoformat(),
        },
    ),
    "criterion_remove": Call("post", lambda d: [d.item.pk]),
    "placement_create": Call("post", lambda d: [d.participant.pk], _placement_data),
    "placement_detail": Call("get", lambda d: [d.placement.pk]),
    "hours_record": Call(
        "post",
        lambda d: [d.placement.pk],
        lambda d: {"month": d.entry.month.strftime("%Y-%m"), "hours_worked": "10"},
    ),
    "hours_validate": Call("post", lambda d: [d.entry.pk]),
    "hours_reject": Call("post", lambda d: [d.entry.pk], lambda d: {"reason": "Non"}),
    "hours_reopen": Call("post", lambda d: [d.entry.pk], lambda d: {"reason": "Erreur"}),
    "hours_validate_bulk": Call("post", data=lambda d: {"entries": [d.entry.pk]}),
    "hours_import_detail": Call("get", lambda d: [_hours_import(d).pk]),
    "hours_import_report": Call("get", lambda d: [_hours_import(d).pk]),
    "hours_import_progress": Call("get", lambda d: [_hours_import(d, "queued").pk]),
    "hours_import_columns": Call(
        "post",
        lambda d: [_hours_import(d, "received").pk],
        lambda d: {"colonne_0": "placement", "colonne_1": "month", "colonne_2": "hours_worked"},
    ),
    "hours_import_template": Call("get", lambda d: [d.contract.pk]),
    "pool_detail": Call("get", lambda d: [_pool(d).pk]),
    "pool_rule": Call("post", lambda d: [_pool(d).pk], lambda d: {"rule": "equal"}),
    "pooled_month_record": Call(
        "post",
        lambda d: [_pool(d).pk],
        lambda d: {"month": months_ago(1).strftime("%Y-%m"), "hours_worked": "10"},
    ),
    "pooled_month_validate": Call("post", lambda d: [_pooled_month(d).pk]),
    "pooled_month_remove": Call("post", lambda d: [_pooled_month(d).pk]),
    "pooled_month_reopen": Call(
        "post", lambda d: [_pooled_month(d).pk], lambda d: {"reason": "Erreur"}
    ),
}
# Lists: each user sees the rows of their own structures only.
LISTS: dict[str, Call] = {
    "participant_list": Call("get"),
    "duplicate_list": Call("get"),
    "hours_review": Call("get"),
    "validated_hours": Call("get"),
    "outcomes_due": Call("get"),
    "pool_list": Call("get"),
}
# The rest: creating a participant (in one's own structure), and the pickers of the
# placement form (reference lists; the lots are those of one's own contracts).
OTHERS: dict[str, Call] = {
    "participant_create": Call("get"),
    "placement_lots": Call("get", data=lambda d: {"contract": d.contract.pk}),
    "job_search": Call("get", data=lambda d: {"q": "maçon"}),
    "hours_import_start": Call("get"),
    "hours_import_template_choice": Call("get", data=lambda d: {"marche": d.contract.pk}),
    # The network's counting rules: no personal data, read by the network's facilitators.
    "mode_rules": Call("get"),
    # Pooling hours: the form and its pickers offer one's own participants and contracts.
    "pool_create": Call("get"),
    "pool_contracts": Call("post", data=lambda d: {"employer": d.contract.awarded_company_id}),
    "pool_preview": Call(
        "post",
        data=lambda d: {"employer": d.contract.awarded_company_id, "rule": "obligation"},
    ),
}
ALL = {**PERSONAL, **LISTS, **OTHERS}


def test_every_url_is_covered():
    names = {pattern.name for pattern in inclusion_urls.urlpatterns}
    assert names == set(ALL), (
        "Each url of the inclusion app must be listed in test_access.py "
        f"(missing: {sorted(names - set(ALL))}, unknown: {sorted(set(ALL) - names)})."
    )


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_the_structure_itself_may_use_the_url(name, structure, followed):
    """The requests below are valid: the 404s of the other tests come from the scope."""
    response = PERSONAL[name].send(structure.client, name, followed)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert "is-invalid" not in response.content.decode()


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_another_structure_gets_404_and_changes_nothing(name, structure, other_structure, followed):
    before = fingerprint()
    response = PERSONAL[name].send(other_structure.client, name, followed)
    assert response.status_code == 404
    assert fingerprint() == before


@pytest.mark.parametrize("name", [*sorted(PERSONAL), "participant_list", "participant_create"])
def test_buyers_and_companies_have_no_participant_pages(
    name, followed, buyer_client, company_client
):
    call = ALL[name]
    before = fingerprint()
    for client in (buyer_client, company_client):
        assert call.send(client, name, followed).status_code == 404
    assert fingerprint() == before


def test_buyers_and_companies_have_no_review_queue(followed, buyer_client, company_client):
    for client in (buyer_client, company_client):
        assert client.get(reverse("inclusion:hours_review")).status_code == 404


@pytest.mark.parametrize("name", sorted(ALL))
def test_anonymous_visitors_are_sent_to_the_login_page(name, client, followed):
    call = ALL[name]
    before = fingerprint()
    response = call.send(client, name, followed)
    assert response.status_code == 302
    location = unquote(response["Location"])
    assert location.startswith("/connexion/?next=")
    assert location.removeprefix("/connexion/?next=").startswith(call.url(name, followed))
    assert fingerprint() == before


def test_lists_never_show_another_structures_rows(structure, other_structure, followed):
    theirs = follow(other_structure.organisation, last_name="Voisine")
    for client, mine, not_mine in (
        (structure.client, followed, theirs),
        (other_structure.client, theirs, followed),
    ):
        page = client.get(reverse("inclusion:participant_list")).content.decode()
        assert mine.participant.last_name.upper() in page
        assert not_mine.participant.last_name.upper() not in page
        response = client.get(reverse("inclusion:hours_review"))
        queue = response.content.decode()
        assert reverse("inclusion:placement_detail", args=[mine.placement.pk]) in queue
        assert reverse("inclusion:placement_detail", args=[not_mine.placement.pk]) not in queue
        assert "1 déclaration en attente, 120 heures" in page_text(response)


def test_search_does_not_reach_another_structure(structure, other_structure, followed):
    follow(other_structure.organisation, last_name="Voisine")
    page = structure.client.get(reverse("inclusion:participant_list"), {"q": "Voisine"})
    assert "VOISINE" not in page.content.decode()
    assert "0 participant trouvé pour « Voisine »" in page_text(page)


def test_a_participant_cannot_be_created_in_another_structure(structure, other_structure):
    response = other_structure.client.post(
        reverse("inclusion:participant_create"),
        {
            "facilitator": structure.organisation.pk,
            "first_name": "Intrus",
            "last_name": "Intrus",
            "birth_date": "1990-01-01",
            "sex": "M",
            "qualification_level": "none",
        },
    )
    assert response.status_code == 200
    assert not Participant.objects.filter(facilitator=structure.organisation).exists()
    assert not Participant.objects.filter(last_name="Intrus").exists()


def test_a_participant_cannot_be_placed_on_another_structures_contract(
    structure, other_structure, followed
):
    theirs = follow(other_structure.organisation, last_name="Voisine")
    response = structure.client.post(
        reverse("inclusion:placement_create", args=[followed.participant.pk]),
        {**_placement_data(followed), "contract": theirs.contract.pk},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Placement.objects.filter(contract=theirs.contract, participant=followed.participant)


def test_another_structures_lots_are_not_offered(structure, other_structure, followed):
    response = other_structure.client.get(
        reverse("inclusion:placement_lots"), {"contract": followed.contract.pk}
    )
    assert response.status_code == 200
    assert followed.lot.title not in response.content.decode()


def test_bulk_validation_of_a_mixed_selection_is_refused_whole(
    structure, other_structure, followed
):
    theirs = follow(other_structure.organisation, last_name="Voisine")
    response = other_structure.client.post(
        reverse("inclusion:hours_validate_bulk"),
        {"entries": [theirs.entry.pk, followed.entry.pk]},
    )
    assert response.status_code == 404
    assert HoursEntry.objects.get(pk=theirs.entry.pk).status == HoursStatus.DECLARED
    assert HoursEntry.objects.get(pk=followed.entry.pk).status == HoursStatus.DECLARED


def test_bulk_validation_by_filter_stays_in_ones_own_structure(
    structure, other_structure, followed
):
    theirs = follow(other_structure.organisation, last_name="Voisine")
    response = other_structure.client.post(
        reverse("inclusion:hours_validate_bulk"),
        {"everything": "on", "month": followed.entry.month.strftime("%Y-%m")},
    )
    assert response.status_code == 302
    assert HoursEntry.objects.get(pk=theirs.entry.pk).status == HoursStatus.VALIDATED
    assert HoursEntry.objects.get(pk=followed.entry.pk).status == HoursStatus.DECLARED
    # Filtering on another structure's contract is not possible at all.
    response = other_structure.client.post(
        reverse("inclusion:hours_validate_bulk"),
        {"everything": "on", "contract": followed.contract.pk},
    )
    assert response.status_code == 404


def test_history_of_another_structure_is_not_shown(structure, other_structure, followed):
    InclusionEvent.objects.create(
        participant=followed.participant,
        action="participant_updated",
        object_type="participant",
        object_id=followed.participant.pk,
        before={"city": "Secret"},
        after={"city": "Caché"},
    )
    response = other_structure.client.get(
        reverse("inclusion:participant_detail", args=[followed.participant.pk])
    )
    assert response.status_code == 404
    assert "Caché" not in response.content.decode()
