"""Mayotte: one facilitator structure, 16 public buyers, 89 contracts, 258,000 hours.

The shape follows the island's "Achats socialement responsables" programme: in four
years, 89 contracts with a social clause gave 258,000 validated insertion hours, that is
141 full-time equivalents at 1,820 hours each (35 h × 52 weeks, the local convention).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from tremplin.demo.catalogue import (
    KINDS,
    MAYOTTE_COMMUNES,
    MAYOTTE_HOME_WEIGHTS,
    MAYOTTE_MEN,
    MAYOTTE_SURNAMES,
    MAYOTTE_WOMEN,
)
from tremplin.demo.planning import (
    Population,
    allocate_hours,
    anchor_lapsing,
    anchor_returning,
    assign_people,
    check_people,
    mark_rejections,
    scale_to_total,
    set_validation_windows,
)
from tremplin.demo.scenario import (
    BuyerSpec,
    OrgSpec,
    Terms,
    TerritoryPlan,
    UserSpec,
    add_lots,
    anchor_company,
    choose_outcome,
    companies_by_group,
    draw_contract,
    postpone,
    set_mode,
)
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    OrganisationKind,
    PrescriberKind,
)
from tremplin.procurement.enums import LegalBasis
from tremplin.procurement.obligation import ObligationMode

NETWORK_NAME = "Mayotte — Achats socialement responsables"
NETWORK_SLUG = "mayotte"
TIME_ZONE = "Indian/Mayotte"
VALIDATED_HOURS = 258_000
HOURS_PER_FTE = 1820
FACILITATOR_EMAIL = "facilitatrice@mayotte.demo"
BUYER_EMAIL = "acheteur@departement976.demo"
COMPANY_EMAIL = "entreprise@lagon-btp.demo"
PRESCRIBER_EMAIL = "conseillere@francetravail-mamoudzou.demo"
YOUNG_PRESCRIBER_EMAIL = "conseiller@missionlocale-mayotte.demo"

FACILITATOR = "cress"
# Lagon BTP's hire in progress and its hiring needs are written on two of its contracts,
# begun five months before today's month at least and running seven months after it.
COMPANY = "lagon-btp"
COMPANY_RUNNING_SINCE = 5
COMPANY_RUNNING_UNTIL = 7
TERMS = Terms(
    hourly_cost=Decimal("25.00"), insertion_rates=("0.05", "0.07", "0.07", "0.10", "0.10")
)
RESIDENCES = ("Les Manguiers", "Les Badamiers", "Le Baobab", "Les Frangipaniers", "Les Ylangs")

USERS = (
    UserSpec(
        FACILITATOR_EMAIL,
        "Zaïnaba",
        "Attoumani",
        "Facilitatrice — CRESS de Mayotte",
        "Tout le service ASR de Mayotte : 89 marchés et leurs clauses, les participants, "
        "les heures à valider, le tableau de bord (258 000 h, 141 ETP).",
        organisation=FACILITATOR,
        administrator=True,
    ),
    UserSpec(
        BUYER_EMAIL,
        "Ibrahim",
        "Soilihi",
        "Acheteur — Département de Mayotte",
        "Les marchés du Département de Mayotte, l'avancement de leurs clauses et leur bilan.",
        organisation="departement",
    ),
    UserSpec(
        COMPANY_EMAIL,
        "Anli",
        "Boinali",
        "Entreprise — Lagon BTP",
        "Les marchés de Lagon BTP à Mayotte : heures dues, heures déclarées et validées.",
        organisation="lagon-btp",
    ),
    UserSpec(
        PRESCRIBER_EMAIL,
        "Hadidja",
        "Bacar",
        "Prescriptrice — France Travail Mamoudzou",
        "Les offres publiées sur l'île (besoins de recrutement des entreprises) et les "
        "candidats qu'elle y a proposés, à chaque étape.",
        organisation="ft",
    ),
    UserSpec(
        YOUNG_PRESCRIBER_EMAIL,
        "Mouhamadi",
        "Soulaimana",
        "Prescripteur — Mission locale de Mayotte",
        "Les offres publiées sur l'île et les jeunes qu'il y a proposés.",
        organisation="ml",
    ),
)


def _buyer(key: str, name: str, kind: str, city: str, postal_code: str) -> OrgSpec:
    return OrgSpec(
        key,
        OrganisationKind.BUYER,
        name,
        city,
        postal_code,
        buyer_kind=kind,
        facilitator=FACILITATOR,
        public=True,
    )


MAMOUDZOU_VILLAGES = (
    "Kawéni",
    "Cavani",
    "M'Tsapéré",
    "Passamaïnty",
    "Tsoundzou",
    "Vahibé",
    "Doujani",
)

BUYERS = (
    BuyerSpec(
        _buyer("departement", "Département de Mayotte", BuyerKind.DEPARTMENT, "Mamoudzou", "97600"),
        "CD976",
        ("roads",) * 5
        + ("public_building",) * 3
        + ("cleaning",) * 2
        + ("green",) * 2
        + ("maintenance", "sports"),
        (
            "Mamoudzou",
            "Dembéni",
            "Bandrélé",
            "Chirongui",
            "Sada",
            "Combani",
            "Kahani",
            "Dzoumogné",
            "Longoni",
        ),
        "du Département de Mayotte",
        roads=("nationale 1", "nationale 2", "départementale 3", "départementale 4"),
    ),
    BuyerSpec(
        _buyer(
            "cadema",
            "CADEMA — Communauté d'agglomération Dembéni-Mamoudzou",
            BuyerKind.INTERMUNICIPALITY,
            "Mamoudzou",
            "97600",
        ),
        "CADEMA",
        (
            "renewal",
            "renewal",
            "roads",
            "roads",
            "urban",
            "urban",
            "water",
            "green",
            "public_building",
        ),
        (*MAMOUDZOU_VILLAGES, "Iloni", "Tsararano", "Ongojou"),
        "de la CADEMA",
    ),
    BuyerSpec(
        _buyer(
            "ccsud",
            "Communauté de communes du Sud",
            BuyerKind.INTERMUNICIPALITY,
            "Chirongui",
            "97620",
        ),
        "CCSUD",
        ("urban", "urban", "roads", "water", "public_building"),
        ("Bandrélé", "Kani-Kéli", "Bouéni", "Chirongui", "Hamouro", "Mbouini", "Mramadoudou"),
        "de la communauté de communes du Sud",
    ),
    BuyerSpec(
        _buyer(
            "cagnm",
            "Communauté d'agglomération du Grand Nord de Mayotte",
            BuyerKind.INTERMUNICIPALITY,
            "Bandraboua",
            "97650",
        ),
        "CAGNM",
        ("urban", "roads", "roads", "water", "sports"),
        ("Bandraboua", "Acoua", "Mtsamboro", "M'Tsangamouji", "Dzoumogné", "Hamjago"),
        "de la communauté d'agglomération du Grand Nord",
    ),
    BuyerSpec(
        _buyer(
            "ccpt",
            "Communauté de communes de Petite-Terre",
            BuyerKind.INTERMUNICIPALITY,
            "Dzaoudzi",
            "97615",
        ),
        "CCPT",
        ("urban", "roads", "water", "green"),
        ("Labattoir", "Pamandzi", "Dzaoudzi", "Moya"),
        "de la communauté de communes de Petite-Terre",
    ),
    BuyerSpec(
        _buyer("mamoudzou", "Commune de Mamoudzou", BuyerKind.MUNICIPALITY, "Mamoudzou", "97600"),
        "MAM",
        ("school",) * 3 + ("catering",) * 2 + ("roads",) * 2 + ("cleaning", "sports", "green"),
        MAMOUDZOU_VILLAGES,
        "de la commune de Mamoudzou",
    ),
    BuyerSpec(
        _buyer("koungou", "Commune de Koungou", BuyerKind.MUNICIPALITY, "Koungou", "97690"),
        "KGU",
        ("school", "school", "catering", "roads", "cleaning"),
        ("Koungou", "Majicavo", "Longoni", "Trévani", "Kangani"),
        "de la commune de Koungou",
    ),
    BuyerSpec(
        _buyer(
            "dzaoudzi", "Commune de Dzaoudzi-Labattoir", BuyerKind.MUNICIPALITY, "Dzaoudzi", "97615"
        ),
        "DZA",
        ("school", "catering", "roads", "green"),
        ("Labattoir", "Dzaoudzi"),
        "de la commune de Dzaoudzi-Labattoir",
    ),
    BuyerSpec(
        _buyer("pamandzi", "Commune de Pamandzi", BuyerKind.MUNICIPALITY, "Pamandzi", "97615"),
        "PAM",
        ("school", "sports", "cleaning"),
        ("Pamandzi", "Sandravangué"),
        "de la commune de Pamandzi",
    ),
    BuyerSpec(
        _buyer("sada", "Commune de Sada", BuyerKind.MUNICIPALITY, "Sada", "97640"),
        "SAD",
        ("school", "catering", "roads"),
        ("Sada", "Mangajou"),
        "de la commune de Sada",
    ),
    BuyerSpec(
        _buyer("chirongui", "Commune de Chirongui", BuyerKind.MUNICIPALITY, "Chirongui", "97620"),
        "CHI",
        ("school", "roads", "green"),
        ("Chirongui", "Tsimkoura", "Mramadoudou", "Poroani", "Malamani"),
        "de la commune de Chirongui",
    ),
    BuyerSpec(
        _buyer(
            "bandraboua", "Commune de Bandraboua", BuyerKind.MUNICIPALITY, "Bandraboua", "97650"
        ),
        "BDR",
        ("school", "catering", "sports"),
        ("Bandraboua", "Dzoumogné", "Handréma", "Mtsangamboua"),
        "de la commune de Bandraboua",
    ),
    BuyerSpec(
        _buyer("tsingoni", "Commune de Tsingoni", BuyerKind.MUNICIPALITY, "Tsingoni", "97680"),
        "TSI",
        ("school", "roads", "green"),
        ("Tsingoni", "Combani", "Mroalé", "Miréréni"),
        "de la commune de Tsingoni",
    ),
    BuyerSpec(
        _buyer(
            "sim",
            "SIM — Société immobilière de Mayotte",
            BuyerKind.SOCIAL_LANDLORD,
            "Mamoudzou",
            "97600",
        ),
        "SIM",
        ("housing",) * 5 + ("green", "cleaning"),
        ("Kawéni", "Majicavo", "Sada", "Labattoir", "Combani", "Tsoundzou", "Chiconi"),
        "des résidences de la SIM",
    ),
    BuyerSpec(
        _buyer("chm", "Centre hospitalier de Mayotte", BuyerKind.HOSPITAL, "Mamoudzou", "97600"),
        "CHM",
        ("hospital", "hospital", "cleaning", "catering", "maintenance"),
        ("Mamoudzou", "Kahani", "Dzoumogné", "Mramadoudou", "Petite-Terre"),
        "du Centre hospitalier de Mayotte",
    ),
    BuyerSpec(
        _buyer("rectorat", "Rectorat de Mayotte", BuyerKind.STATE, "Mamoudzou", "97600"),
        "REC",
        ("secondary",) * 4 + ("catering", "cleaning"),
        (
            "Kahani",
            "Longoni",
            "Dembéni",
            "Chirongui",
            "Sada",
            "Pamandzi",
            "Tsararano",
            "Kawéni",
            "Bandrélé",
        ),
        "des établissements du second degré",
    ),
)


def _company(
    key: str, name: str, city: str, postal_code: str, group: str, weight: int = 1
) -> OrgSpec:
    return OrgSpec(
        key,
        OrganisationKind.COMPANY,
        name,
        city,
        postal_code,
        facilitator=FACILITATOR,
        group=group,
        weight=weight,
    )


COMPANIES = (
    _company("lagon-btp", "Lagon BTP", "Mamoudzou", "97600", "building", 4),
    _company("smc", "Société mahoraise de construction", "Mamoudzou", "97600", "building", 2),
    _company("maore-batiment", "Maoré Bâtiment", "Koungou", "97690", "building", 2),
    _company("batisseurs-sud", "Bâtisseurs du Sud", "Chirongui", "97620", "building"),
    _company("pt-construction", "Petite-Terre Construction", "Dzaoudzi", "97615", "building"),
    _company("nord-batiment", "Nord Bâtiment Services", "Bandraboua", "97650", "building"),
    _company("2roi", "Routes et Réseaux de l'Océan Indien", "Mamoudzou", "97600", "roads", 3),
    _company("terrassements-nord", "Terrassements du Nord", "Koungou", "97690", "roads", 2),
    _company("sud-vrd", "Sud VRD", "Bandrélé", "97660", "roads", 2),
    _company("hydro-reseaux", "Hydro-Réseaux Mayotte", "Dembéni", "97660", "water", 3),
    _company("sud-vrd-reseaux", "Sud VRD Réseaux humides", "Bandrélé", "97660", "water"),
    _company("toitures-lagon", "Toitures du Lagon", "Sada", "97640", "roofing"),
    _company("menuiseries-976", "Menuiseries Alu 976", "Koungou", "97690", "joinery"),
    _company("egoi", "Électricité générale de l'océan Indien", "Mamoudzou", "97600", "electricity"),
    _company(
        "peintures-mahoraises", "Peintures et Finitions mahoraises", "Tsingoni", "97680", "painting"
    ),
    _company("maore-maintenance", "Maoré Maintenance Bâtiment", "Mamoudzou", "97600", "finishing"),
    _company("ylang-proprete", "Ylang Propreté", "Mamoudzou", "97600", "cleaning", 2),
    _company("net-lagon", "Net'Lagon Services", "Pamandzi", "97615", "cleaning", 2),
    _company("mep", "Mayotte Environnement Propreté", "Koungou", "97690", "urban", 3),
    _company("jardins-lagon", "Jardins du Lagon", "Tsingoni", "97680", "green", 2),
    _company("baobab", "Baobab Espaces verts", "Sada", "97640", "green", 2),
    _company(
        "saveurs-mahoraises", "Saveurs mahoraises Restauration", "Mamoudzou", "97600", "catering", 2
    ),
    _company("oirc", "Océan Indien Restauration collective", "Dembéni", "97660", "catering", 2),
)

INCLUSION_EMPLOYERS = (
    OrgSpec(
        "etti",
        OrganisationKind.INCLUSION_EMPLOYER,
        "Intérim Insertion Mayotte",
        "Mamoudzou",
        "97600",
        inclusion_employer_kind=InclusionEmployerKind.ETTI,
        facilitator=FACILITATOR,
    ),
    OrgSpec(
        "aci",
        OrganisationKind.INCLUSION_EMPLOYER,
        "ACI Ouvoimoja — chantier d'insertion",
        "Tsingoni",
        "97680",
        inclusion_employer_kind=InclusionEmployerKind.ACI,
        facilitator=FACILITATOR,
    ),
    OrgSpec(
        "geiq",
        OrganisationKind.INCLUSION_EMPLOYER,
        "GEIQ BTP Mayotte",
        "Mamoudzou",
        "97600",
        inclusion_employer_kind=InclusionEmployerKind.GEIQ,
        facilitator=FACILITATOR,
    ),
    OrgSpec(
        "ea",
        OrganisationKind.INCLUSION_EMPLOYER,
        "Entreprise adaptée Maoré Services",
        "Dembéni",
        "97660",
        inclusion_employer_kind=InclusionEmployerKind.EA,
        facilitator=FACILITATOR,
    ),
)

PRESCRIBERS = (
    OrgSpec("ft", OrganisationKind.PRESCRIBER, "France Travail Mamoudzou", "Mamoudzou", "97600",
            prescriber_kind=PrescriberKind.FRANCE_TRAVAIL, public=True, area="976"),
    OrgSpec("ml", OrganisationKind.PRESCRIBER, "Mission locale de Mayotte", "Mamoudzou", "97600",
            prescriber_kind=PrescriberKind.MISSION_LOCALE, area="976"),
    OrgSpec("cap", OrganisationKind.PRESCRIBER, "Cap emploi 976", "Mamoudzou", "97600",
            prescriber_kind=PrescriberKind.CAP_EMPLOI, area="976"),
    OrgSpec("rsa", OrganisationKind.PRESCRIBER, "Département de Mayotte — service RSA", "Mamoudzou",
            "97600", prescriber_kind=PrescriberKind.DEPARTMENT_RSA, public=True, area="976"),
)  # fmt: skip

POPULATION = Population(
    men=MAYOTTE_MEN,
    women=MAYOTTE_WOMEN,
    surnames=MAYOTTE_SURNAMES,
    homes=MAYOTTE_COMMUNES,
    home_weights=MAYOTTE_HOME_WEIGHTS,
    qpv_chance=0.55,
    rsa_chance=0.25,
    long_term_chance=0.45,
    phone_prefixes=("06 39",),
    prescribers={"young": "ml", "rsa": "rsa", "disabled": "cap", "default": "ft"},
)


def organisations() -> list[OrgSpec]:
    facilitator = OrgSpec(
        FACILITATOR,
        OrganisationKind.FACILITATOR,
        "CRESS de Mayotte — service ASR",
        "Mamoudzou",
        "97600",
        address="Place Mariage, Kawéni",
        email="asr@cress-mayotte.demo",
        phone="02 69 61 00 00",
    )
    return [
        facilitator,
        *(buyer.organisation for buyer in BUYERS),
        *COMPANIES,
        *INCLUSION_EMPLOYERS,
        *PRESCRIBERS,
    ]


def plan_mayotte(today: date) -> TerritoryPlan:
    """The whole Mayotte territory, planned in memory (same seed, same territory)."""
    rng = random.Random(976)
    orgs = organisations()
    groups = companies_by_group(orgs)
    contracts = []
    for buyer in BUYERS:
        for sequence, kind in enumerate(buyer.kinds, start=1):
            contracts.append(
                draw_contract(
                    rng,
                    facilitator=FACILITATOR,
                    buyer=buyer,
                    kind_key=kind,
                    sequence=sequence,
                    groups=groups,
                    terms=TERMS,
                    today=today,
                    residences=RESIDENCES,
                )
            )
    # Reserved to SIAE (L2113-13): green spaces entrusted to the chantier d'insertion.
    green = [plan for plan in contracts if plan.kind == "green"]
    for plan in rng.sample(green, 2):
        plan.legal_basis = LegalBasis.RESERVED_SIAE
        plan.reserved_contract = True
        plan.parts[0].company = "aci"
    # Lots with their own clauses on a few large building operations.
    lotted = rng.sample([plan for plan in contracts if KINDS[plan.kind].lots], 5)
    for plan in lotted:
        add_lots(rng, plan, groups)
    # Obligation modes: mostly amount-based; purchase-order frameworks per euro invoiced;
    # a few fixed numbers of hours; two shares of the hours worked.
    plain = [plan for plan in contracts if plan not in lotted and not plan.reserved_contract]
    frameworks = [plan for plan in plain if KINDS[plan.kind].framework]
    for plan in rng.sample(frameworks, 9):
        set_mode(rng, plan, ObligationMode.PER_EURO_INVOICED, TERMS)
    works = [plan for plan in plain if KINDS[plan.kind].works]
    small = [plan for plan in works if plan.base_amount < 2_500_000]
    for plan in rng.sample(small, 5):
        set_mode(rng, plan, ObligationMode.FIXED_HOURS, TERMS)
    large = [
        plan
        for plan in works
        if plan.base_amount >= 4_000_000 and plan.mode == ObligationMode.AMOUNT_BASED
    ]
    for plan in rng.sample(large, 2):
        set_mode(rng, plan, ObligationMode.SHARE_OF_HOURS_WORKED, TERMS)
    # Award criteria (R2152-7) on a few contracts: the social offer was weighed.
    for plan in rng.sample([plan for plan in contracts if not plan.reserved_contract], 6):
        plan.legal_basis = LegalBasis.AWARD_CRITERION
        plan.social_criterion = True
    # Two contracts notified, whose execution has not begun yet.
    schools = [
        plan for plan in contracts if plan.kind in ("school", "secondary") and plan not in lotted
    ]
    postponed = rng.sample(schools, 2)
    for offset, plan in enumerate(postponed, start=2):
        postpone(rng, plan, today, offset)
    anchor_company(
        contracts,
        COMPANY,
        today,
        since=COMPANY_RUNNING_SINCE,
        until=COMPANY_RUNNING_UNTIL,
        count=2,
    )
    for plan in contracts:
        if plan not in postponed:
            choose_outcome(rng, plan, today)
    set_validation_windows(rng, contracts, today)
    scale_to_total(contracts, today, VALIDATED_HOURS)

    employers = {organisation.key for organisation in INCLUSION_EMPLOYERS}
    allocate_hours(rng, contracts, employers)
    mark_rejections(rng, contracts, 2)
    placements = [placement for plan in contracts for placement in plan.placements]
    people = assign_people(rng, placements, POPULATION, today=today)
    anchor_lapsing(people, today, count=3)
    anchor_returning(people, today, away_from=COMPANY)
    check_people(people, today)
    realised = sum(placement.validated_hours for placement in placements)
    if realised != VALIDATED_HOURS:  # pragma: no cover - a planning bug
        raise AssertionError(f"Mayotte plans {realised} validated hours")
    return TerritoryPlan(
        name=NETWORK_NAME,
        slug=NETWORK_SLUG,
        territory="Mayotte (976)",
        hours_per_fte=HOURS_PER_FTE,
        time_zone=TIME_ZONE,
        default_hourly_cost=TERMS.hourly_cost,
        default_labour_share=Decimal("0.40"),
        default_insertion_rate=Decimal("0.05"),
        organisations=orgs,
        users=list(USERS),
        actors={FACILITATOR: FACILITATOR_EMAIL},
        contracts=contracts,
        people={FACILITATOR: people},
    )
