"""A prescriber's home: the open offers of its area and where its own candidates stand."""

from django.urls import reverse

from tests.factories import HiringNeedFactory, PrescriberFactory, ReferralFactory, member_of
from tests.matching.conftest import logged_in
from tremplin.notifications.enums import NotificationKind
from tremplin.notifications.services import notify


def figure(html: str, name: str) -> str:
    card = html.split(f'data-figure="{name}"')[1]
    return card.split('class="figure-value mb-1">')[1].split("<")[0]


def test_the_prescriber_sees_its_offers_and_its_candidates(structure, network):
    need = HiringNeedFactory(contract__facilitator=structure.organisation, positions=3)
    HiringNeedFactory(contract__facilitator=structure.organisation, postal_code="91300")
    mine = PrescriberFactory(
        network=network, name="France Travail Mamoudzou", area_departments="976"
    )
    other = PrescriberFactory(network=network, name="Mission locale")
    user = member_of(mine)
    ReferralFactory(need=need, prescriber=mine, first_name="Anli", status="shortlisted")
    ReferralFactory(need=need, prescriber=mine, first_name="Roukia")
    ReferralFactory(need=need, prescriber=other, first_name="Moussa")
    notify([user], NotificationKind.NEED_PUBLISHED, "Nouvelle offre : maçon à Mamoudzou")

    response = logged_in(user).get(reverse("home"))
    html = response.content.decode()

    assert figure(html, "offers") == "1"  # the need in 91 is outside its area
    assert figure(html, "positions") == "3"
    assert figure(html, "referrals") == "2"  # never another prescriber's candidates
    assert f'{reverse("matching:referral_list")}?etape=shortlisted">1</a>' in html
    assert "Nouvelle offre : maçon à Mamoudzou" in html
    assert "Moussa" not in html


def test_a_prescriber_without_news_is_told_what_will_come(network):
    user = member_of(PrescriberFactory(network=network))
    html = logged_in(user).get(reverse("home")).content.decode()
    assert "Aucune notification pour l'instant" in html
    assert figure(html, "offers") == "0"
