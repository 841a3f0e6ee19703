"""Essonne: a network of five facilitator structures under one charter, Inclusiv'Essonne.

Four PLIE and an intercommunal service each follow their own buyers, companies and
participants (mostly people on RSA); prescribers and inclusion employers serve them all.
Volumes are smaller than Mayotte's and hours are worth 1,607 per full-time equivalent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tremplin.demo.catalogue import (
    ESSONNE_COMMUNES,
    ESSONNE_MEN,
    ESSONNE_SURNAMES,
    ESSONNE_WOMEN,
    KINDS,
)
from tremplin.demo.planning import (
    ContractPlan,
    Outcome,
    Population,
    allocate_hours,
    anchor_lapsing,
    assign_people,
    check_people,
    mark_rejections,
    price,
    set_target,
    set_validation_windows,
)
from tremplin.demo.scenario import (
    BuyerSpec,
    OrgSpec,
    Terms,
    TerritoryPlan,
    UserSpec,
    add_lots,
    anchor_pool,
    choose_outcome,
    companies_by_group,
    draw_contract,
    postpone,
    set_mode,
)
from tremplin.inclusion.enums import ExecutionMode
from tremplin.organisations.enums import (
    BuyerKind,
    InclusionEmployerKind,
    OrganisationKind,
    PrescriberKind,
)
from tremplin.procurement.enums import ContractForm, LegalBasis, Procedure
from tremplin.procurement.obligation import ObligationMode

NETWORK_NAME = "Inclusiv'Essonne"
# The pooled job: months of hours before today's month (the last one declared, the others
# validated), held by Grand Paris Sud, whose contracts run four months after today's.
POOL_STRUCTURE = "gps"
POOL_MONTHS = 8
POOL_MONTHS_AHEAD = 4
NETWORK_SLUG = "essonne"
TIME_ZONE = "Europe/Paris"
HOURS_PER_FTE = 1607
COORDINATOR_EMAIL = "coordination@essonne.demo"
PRESCRIBER_EMAIL = "conseiller@ft-evry.demo"
RSA_PRESCRIBER_EMAIL = "referente-rsa@essonne.demo"
TERMS = Terms(
    hourly_cost=Decimal("35.00"), insertion_rates=("0.05", "0.05", "0.05", "0.06", "0.08")
)
# Essonne's contracts are smaller than Mayotte's large island-wide works.
AMOUNT_SCALE = Decimal("0.8")
RESIDENCES = ("Les Tilleuls", "Le Parc", "Les Cèdres", "La Roseraie", "Les Peupliers")


@dataclass(frozen=True)
class Structure:
    key: str
    name: str
    city: str
    postal_code: str
    user: UserSpec
    buyers: tuple[BuyerSpec, ...]
    companies: tuple[OrgSpec, ...]
    young_prescriber: str
    default_prescriber: str


def _buyer(structure: str, key: str, name: str, kind: str, city: str, postal_code: str) -> OrgSpec:
    return OrgSpec(
        key,
        OrganisationKind.BUYER,
        name,
        city,
        postal_code,
        buyer_kind=kind,
        facilitator=structure,
        public=kind != BuyerKind.PRIVATE_COMPANY,
    )


def _company(
    structure: str, key: str, name: str, city: str, postal_code: str, group: str, weight: int = 1
) -> OrgSpec:
    return OrgSpec(
        key,
        OrganisationKind.COMPANY,
        name,
        city,
        postal_code,
        facilitator=structure,
        group=group,
        weight=weight,
    )


def _places(key: str) -> tuple[str, ...]:
    return tuple(city for city, _ in ESSONNE_COMMUNES[key])


def _user(email: str, first: str, last: str, structure: str, name: str, role: str) -> UserSpec:
    return UserSpec(
        email,
        first,
        last,
        role,
        f"Les marchés, participants et heures de la structure « {name} », "
        "jamais ceux des autres structures du réseau.",
        organisation=structure,
        administrator=True,
    )


STRUCTURES = (
    Structure(
        "plie-nord",
        "PLIE Nord Essonne",
        "Athis-Mons",
        "91200",
        _user("facilitateur@plie-nord.demo", "Julien", "Moreau", "plie-nord", "PLIE Nord Essonne", "Facilitateur — PLIE Nord Essonne"),
        (
            BuyerSpec(
                _buyer("plie-nord", "athis", "Ville d'Athis-Mons", BuyerKind.MUNICIPALITY, "Athis-Mons", "91200"),
                "ATH",
                ("school", "green", "cleaning"),
                ("Athis-Mons",),
                "de la ville d'Athis-Mons",
            ),
            BuyerSpec(
                _buyer("plie-nord", "savigny", "Ville de Savigny-sur-Orge", BuyerKind.MUNICIPALITY, "Savigny-sur-Orge", "91600"),
                "SAV",
                ("roads", "catering"),
                ("Savigny-sur-Orge",),
                "de la ville de Savigny-sur-Orge",
            ),
            BuyerSpec(
                _buyer("plie-nord", "viry", "Ville de Viry-Châtillon", BuyerKind.MUNICIPALITY, "Viry-Châtillon", "91170"),
                "VIRY",
                ("sports", "public_building"),
                ("Viry-Châtillon",),
                "de la ville de Viry-Châtillon",
            ),
            BuyerSpec(
                _buyer("plie-nord", "gosb", "Établissement public territorial Grand-Orly Seine Bièvre", BuyerKind.INTERMUNICIPALITY, "Vitry-sur-Seine", "94400"),
                "GOSB",
                ("water",),
                _places("nord"),
                "de Grand-Orly Seine Bièvre",
            ),
            BuyerSpec(
                _buyer("plie-nord", "essonne-habitat", "Essonne Habitat", BuyerKind.SOCIAL_LANDLORD, "Évry-Courcouronnes", "91000"),
                "EH",
                ("housing",),
                _places("nord"),
                "d'Essonne Habitat",
            ),
        ),
        (
            _company("plie-nord", "orge-seine-batiment", "Bâtiments Orge et Seine", "Athis-Mons", "91200", "building", 2),
            _company("plie-nord", "netp", "Nord Essonne Travaux publics", "Savigny-sur-Orge", "91600", "roads"),
            _company("plie-nord", "proprete-val-orge", "Propreté Val d'Orge", "Viry-Châtillon", "91170", "cleaning"),
            _company("plie-nord", "jardins-juvisy", "Les Jardins de Juvisy", "Juvisy-sur-Orge", "91260", "green"),
            _company("plie-nord", "rcso", "Restauration collective Seine-Orge", "Athis-Mons", "91200", "catering"),
            _company("plie-nord", "ege-orge", "Électricité générale de l'Orge", "Morangis", "91420", "finishing"),
        ),
        "ml-nord",
        "ft-evry",
    ),
    Structure(
        "plie-coeur",
        "PLIE Cœur d'Essonne",
        "Sainte-Geneviève-des-Bois",
        "91700",
        _user("facilitatrice@plie-coeur.demo", "Sophie", "Lambert", "plie-coeur", "PLIE Cœur d'Essonne", "Facilitatrice — PLIE Cœur d'Essonne"),
        (
            BuyerSpec(
                _buyer("plie-coeur", "cdea", "Cœur d'Essonne Agglomération", BuyerKind.INTERMUNICIPALITY, "Sainte-Geneviève-des-Bois", "91700"),
                "CDEA",
                ("roads", "water", "green", "urban"),
                _places("coeur"),
                "de Cœur d'Essonne Agglomération",
            ),
            BuyerSpec(
                _buyer("plie-coeur", "bretigny", "Ville de Brétigny-sur-Orge", BuyerKind.MUNICIPALITY, "Brétigny-sur-Orge", "91220"),
                "BRE",
                ("school", "catering"),
                ("Brétigny-sur-Orge",),
                "de la ville de Brétigny-sur-Orge",
            ),
            BuyerSpec(
                _buyer("plie-coeur", "sgdb", "Ville de Sainte-Geneviève-des-Bois", BuyerKind.MUNICIPALITY, "Sainte-Geneviève-des-Bois", "91700"),
                "SGB",
                ("public_building", "cleaning", "sports"),
                ("Sainte-Geneviève-des-Bois",),
                "de la ville de Sainte-Geneviève-des-Bois",
            ),
            BuyerSpec(
                _buyer("plie-coeur", "arpajon", "Ville d'Arpajon", BuyerKind.MUNICIPALITY, "Arpajon", "91290"),
                "ARP",
                ("roads",),
                ("Arpajon",),
                "de la ville d'Arpajon",
            ),
            BuyerSpec(
                _buyer("plie-coeur", "rye", "Les Résidences Yvelines Essonne", BuyerKind.SOCIAL_LANDLORD, "Montigny-le-Bretonneux", "78180"),
                "RYE",
                ("housing", "maintenance"),
                _places("coeur"),
                "des Résidences Yvelines Essonne",
            ),
        ),
        (
            _company("plie-coeur", "construction-coeur", "Construction Cœur d'Essonne", "Brétigny-sur-Orge", "91220", "building", 2),
            _company("plie-coeur", "arpajon-tp", "Arpajon TP", "Arpajon", "91290", "roads"),
            _company("plie-coeur", "nettoyage-sgdb", "Nettoyage Services Sainte-Geneviève", "Sainte-Geneviève-des-Bois", "91700", "cleaning"),
            _company("plie-coeur", "paysages-hurepoix", "Paysages du Hurepoix", "Arpajon", "91290", "green"),
            _company("plie-coeur", "mph", "Menuiseries et Peintures du Hurepoix", "Saint-Michel-sur-Orge", "91240", "finishing"),
            _company("plie-coeur", "cuisine-val-orge", "Cuisine centrale du Val d'Orge", "Brétigny-sur-Orge", "91220", "catering"),
        ),
        "ml-sud",
        "ft-evry",
    ),
    Structure(
        "plie-sud",
        "PLIE Sud Essonne",
        "Étampes",
        "91150",
        _user("facilitateur@plie-sud.demo", "Mehdi", "Benali", "plie-sud", "PLIE Sud Essonne", "Facilitateur — PLIE Sud Essonne"),
        (
            BuyerSpec(
                _buyer("plie-sud", "caese", "Communauté d'agglomération de l'Étampois Sud-Essonne", BuyerKind.INTERMUNICIPALITY, "Étampes", "91150"),
                "CAESE",
                ("roads", "water"),
                _places("sud"),
                "de l'agglomération de l'Étampois",
            ),
            BuyerSpec(
                _buyer("plie-sud", "etampes", "Ville d'Étampes", BuyerKind.MUNICIPALITY, "Étampes", "91150"),
                "ETA",
                ("school", "green"),
                ("Étampes",),
                "de la ville d'Étampes",
            ),
            BuyerSpec(
                _buyer("plie-sud", "dourdan", "Ville de Dourdan", BuyerKind.MUNICIPALITY, "Dourdan", "91410"),
                "DOU",
                ("public_building",),
                ("Dourdan",),
                "de la ville de Dourdan",
            ),
            BuyerSpec(
                _buyer("plie-sud", "ccve", "Communauté de communes du Val d'Essonne", BuyerKind.INTERMUNICIPALITY, "Ballancourt-sur-Essonne", "91610"),
                "CCVE",
                ("cleaning", "sports"),
                ("Mennecy", "Ballancourt-sur-Essonne"),
                "de la communauté de communes du Val d'Essonne",
            ),
        ),
        (
            _company("plie-sud", "maconnerie-etampoise", "Maçonnerie étampoise", "Étampes", "91150", "building"),
            _company("plie-sud", "tp-gatinais", "Travaux publics du Gâtinais", "Étampes", "91150", "roads"),
            _company("plie-sud", "ev-juine", "Espaces verts de la Juine", "Étampes", "91150", "green"),
            _company("plie-sud", "net-etampes", "Net'Étampes Propreté", "Étampes", "91150", "cleaning"),
        ),
        "ml-sud",
        "ft-evry",
    ),
    Structure(
        "plie-saclay",
        "PLIE Paris-Saclay",
        "Massy",
        "91300",
        _user("facilitatrice@plie-saclay.demo", "Claire", "Dubois", "plie-saclay", "PLIE Paris-Saclay", "Facilitatrice — PLIE Paris-Saclay"),
        (
            BuyerSpec(
                _buyer("plie-saclay", "cps", "Communauté d'agglomération Paris-Saclay", BuyerKind.INTERMUNICIPALITY, "Orsay", "91400"),
                "CPS",
                ("roads", "water", "green"),
                _places("saclay"),
                "de l'agglomération Paris-Saclay",
            ),
            BuyerSpec(
                _buyer("plie-saclay", "massy", "Ville de Massy", BuyerKind.MUNICIPALITY, "Massy", "91300"),
                "MAS",
                ("school", "catering"),
                ("Massy",),
                "de la ville de Massy",
            ),
            BuyerSpec(
                _buyer("plie-saclay", "palaiseau", "Ville de Palaiseau", BuyerKind.MUNICIPALITY, "Palaiseau", "91120"),
                "PAL",
                ("public_building", "cleaning"),
                ("Palaiseau",),
                "de la ville de Palaiseau",
            ),
            BuyerSpec(
                _buyer("plie-saclay", "ulis", "Ville des Ulis", BuyerKind.MUNICIPALITY, "Les Ulis", "91940"),
                "ULI",
                ("renewal",),
                ("Les Ulis",),
                "de la ville des Ulis",
            ),
            BuyerSpec(
                _buyer("plie-saclay", "scd", "Saclay Campus Développement", BuyerKind.PRIVATE_COMPANY, "Palaiseau", "91120"),
                "SCD",
                ("private_building", "private_building"),
                ("Palaiseau", "Orsay", "Saclay"),
                "de Saclay Campus Développement",
            ),
        ),
        (
            _company("plie-saclay", "saclay-batiment", "Saclay Bâtiment", "Palaiseau", "91120", "building", 2),
            _company("plie-saclay", "massy-renovation", "Massy Rénovation", "Massy", "91300", "finishing"),
            _company("plie-saclay", "tp-plateau", "TP du Plateau de Saclay", "Orsay", "91400", "roads"),
            _company("plie-saclay", "proprete-ulis", "Propreté des Ulis", "Les Ulis", "91940", "cleaning"),
            _company("plie-saclay", "restauration-plateau", "Restauration du Plateau", "Massy", "91300", "catering"),
            _company("plie-saclay", "jardins-yvette", "Jardins de l'Yvette", "Orsay", "91400", "green"),
        ),
        "ml-nord",
        "ft-massy",
    ),
    Structure(
        "gps",
        "Grand Paris Sud — service des clauses sociales",
        "Évry-Courcouronnes",
        "91000",
        _user(
            "facilitateur@grandparissud.demo",
            "Karim",
            "Haddad",
            "gps",
            "Grand Paris Sud — service des clauses sociales",
            "Facilitateur — Grand Paris Sud",
        ),
        (
            BuyerSpec(
                _buyer("gps", "gpsa", "Communauté d'agglomération Grand Paris Sud Seine-Essonne-Sénart", BuyerKind.INTERMUNICIPALITY, "Évry-Courcouronnes", "91000"),
                "GPS",
                ("roads", "water", "urban", "green", "maintenance"),
                _places("gps"),
                "de l'agglomération Grand Paris Sud",
            ),
            BuyerSpec(
                _buyer("gps", "evry", "Ville d'Évry-Courcouronnes", BuyerKind.MUNICIPALITY, "Évry-Courcouronnes", "91000"),
                "EVRY",
                ("school", "catering"),
                ("Évry-Courcouronnes",),
                "de la ville d'Évry-Courcouronnes",
            ),
            BuyerSpec(
                _buyer("gps", "corbeil", "Ville de Corbeil-Essonnes", BuyerKind.MUNICIPALITY, "Corbeil-Essonnes", "91100"),
                "CORB",
                ("renewal", "sports"),
                ("Corbeil-Essonnes",),
                "de la ville de Corbeil-Essonnes",
            ),
            BuyerSpec(
                _buyer("gps", "grigny", "Ville de Grigny", BuyerKind.MUNICIPALITY, "Grigny", "91350"),
                "GRI",
                ("renewal", "school"),
                ("Grigny",),
                "de la ville de Grigny",
            ),
            BuyerSpec(
                _buyer("gps", "ris", "Ville de Ris-Orangis", BuyerKind.MUNICIPALITY, "Ris-Orangis", "91130"),
                "RIS",
                ("cleaning",),
                ("Ris-Orangis",),
                "de la ville de Ris-Orangis",
            ),
            BuyerSpec(
                _buyer("gps", "cd91", "Département de l'Essonne", BuyerKind.DEPARTMENT, "Évry-Courcouronnes", "91000"),
                "CD91",
                ("roads", "public_building"),
                ("Évry-Courcouronnes", "Corbeil-Essonnes", "Ris-Orangis", "Grigny", "Bondoufle"),
                "du Département de l'Essonne",
                roads=("départementale 446", "départementale 31", "départementale 191"),
            ),
        ),
        (
            _company("gps", "evry-construction", "Évry Construction", "Évry-Courcouronnes", "91000", "building", 2),
            _company("gps", "corbeil-tp", "Corbeil Travaux publics", "Corbeil-Essonnes", "91100", "roads"),
            _company("gps", "evry-proprete", "Évry Propreté Services", "Évry-Courcouronnes", "91000", "cleaning"),
            _company("gps", "seine-essonne-peinture", "Seine-Essonne Peinture", "Ris-Orangis", "91130", "finishing"),
            _company("gps", "jardins-senart", "Jardins de Sénart", "Bondoufle", "91070", "green"),
            _company("gps", "rcse", "Restauration collective Seine-Essonne", "Corbeil-Essonnes", "91100", "catering"),
        ),
        "ml-nord",
        "ft-evry",
    ),
)  # fmt: skip

INCLUSION_EMPLOYERS = (
    OrgSpec("etti", OrganisationKind.INCLUSION_EMPLOYER, "Essonne Intérim Insertion",
            "Évry-Courcouronnes", "91000", inclusion_employer_kind=InclusionEmployerKind.ETTI),
    OrgSpec("geiq", OrganisationKind.INCLUSION_EMPLOYER, "GEIQ BTP Essonne",
            "Évry-Courcouronnes", "91000", inclusion_employer_kind=InclusionEmployerKind.GEIQ),
    OrgSpec("aci", OrganisationKind.INCLUSION_EMPLOYER, "Chantier d'insertion Vallée de l'Orge",
            "Savigny-sur-Orge", "91600", inclusion_employer_kind=InclusionEmployerKind.ACI),
    OrgSpec("ai", OrganisationKind.INCLUSION_EMPLOYER, "Emploi solidaire 91 (association intermédiaire)",
            "Corbeil-Essonnes", "91100", inclusion_employer_kind=InclusionEmployerKind.AI),
    OrgSpec("ea", OrganisationKind.INCLUSION_EMPLOYER, "Entreprise adaptée Essonne Services",
            "Massy", "91300", inclusion_employer_kind=InclusionEmployerKind.EA),
)  # fmt: skip

PRESCRIBERS = (
    OrgSpec("ft-evry", OrganisationKind.PRESCRIBER, "France Travail Évry-Courcouronnes",
            "Évry-Courcouronnes", "91000", prescriber_kind=PrescriberKind.FRANCE_TRAVAIL, public=True, area="91"),
    OrgSpec("ft-massy", OrganisationKind.PRESCRIBER, "France Travail Massy", "Massy", "91300",
            prescriber_kind=PrescriberKind.FRANCE_TRAVAIL, public=True, area="91"),
    OrgSpec("ml-nord", OrganisationKind.PRESCRIBER, "Mission locale Nord Essonne", "Athis-Mons",
            "91200", prescriber_kind=PrescriberKind.MISSION_LOCALE, area="91"),
    OrgSpec("ml-sud", OrganisationKind.PRESCRIBER, "Mission locale Sud Essonne", "Étampes", "91150",
            prescriber_kind=PrescriberKind.MISSION_LOCALE, area="91"),
    OrgSpec("cap", OrganisationKind.PRESCRIBER, "Cap emploi Essonne", "Évry-Courcouronnes", "91000",
            prescriber_kind=PrescriberKind.CAP_EMPLOI, area="91"),
    OrgSpec("rsa", OrganisationKind.PRESCRIBER, "Département de l'Essonne — service RSA",
            "Évry-Courcouronnes", "91000", prescriber_kind=PrescriberKind.DEPARTMENT_RSA, public=True, area="91"),
)  # fmt: skip

COMMUNES_OF = {
    "plie-nord": "nord",
    "plie-coeur": "coeur",
    "plie-sud": "sud",
    "plie-saclay": "saclay",
    "gps": "gps",
}

USERS = (
    *(structure.user for structure in STRUCTURES),
    UserSpec(
        COORDINATOR_EMAIL,
        "Nathalie",
        "Girard",
        "Coordinatrice du réseau Inclusiv'Essonne",
        "Les chiffres consolidés et comparés des cinq structures du réseau, sans les noms "
        "des participants ; les règles communes de la charte.",
        coordinates=True,
    ),
    UserSpec(
        PRESCRIBER_EMAIL,
        "Romain",
        "Fontaine",
        "Prescripteur — France Travail Évry-Courcouronnes",
        "Les offres publiées en Essonne par les entreprises du réseau et les candidats qu'il "
        "y a proposés.",
        organisation="ft-evry",
    ),
    UserSpec(
        RSA_PRESCRIBER_EMAIL,
        "Isabelle",
        "Perrin",
        "Prescriptrice — Département de l'Essonne, service RSA",
        "Les offres publiées en Essonne, dont celles réservées aux bénéficiaires du RSA, et "
        "les candidats qu'elle y a proposés.",
        organisation="rsa",
    ),
)


def organisations() -> list[OrgSpec]:
    orgs: list[OrgSpec] = []
    for structure in STRUCTURES:
        orgs.append(
            OrgSpec(
                structure.key,
                OrganisationKind.FACILITATOR,
                structure.name,
                structure.city,
                structure.postal_code,
                email=f"clauses@{structure.key}.demo",
            )
        )
    for structure in STRUCTURES:
        orgs.extend(buyer.organisation for buyer in structure.buyers)
        orgs.extend(structure.companies)
    orgs.extend(INCLUSION_EMPLOYERS)
    orgs.extend(PRESCRIBERS)
    return orgs


def _population(structure: Structure) -> Population:
    return Population(
        men=ESSONNE_MEN,
        women=ESSONNE_WOMEN,
        surnames=ESSONNE_SURNAMES,
        homes=ESSONNE_COMMUNES[COMMUNES_OF[structure.key]],
        home_weights=None,
        qpv_chance=0.45,
        rsa_chance=0.65,
        long_term_chance=0.35,
        phone_prefixes=("06", "07"),
        prescribers={
            "young": structure.young_prescriber,
            "rsa": "rsa",
            "disabled": "cap",
            "default": structure.default_prescriber,
        },
    )


def plan_essonne(today: date) -> TerritoryPlan:
    """The whole Essonne network, planned in memory (same seed, same network)."""
    rng = random.Random(91)
    orgs = organisations()
    employers = {organisation.key for organisation in INCLUSION_EMPLOYERS}
    contracts = []
    people = {}
    # Every structure's contracts are drawn first: the hours allocated afterwards vary with
    # the day of the month, and would otherwise change the contracts drawn after them.
    drawn: dict[str, list[ContractPlan]] = {}
    for structure in STRUCTURES:
        groups = companies_by_group(list(structure.companies))
        plans = drawn[structure.key] = []
        for buyer in structure.buyers:
            for sequence, kind in enumerate(buyer.kinds, start=1):
                plans.append(
                    draw_contract(
                        rng,
                        facilitator=structure.key,
                        buyer=buyer,
                        kind_key=kind,
                        sequence=sequence,
                        groups=groups,
                        terms=TERMS,
                        today=today,
                        residences=RESIDENCES,
                    )
                )
        _shape(rng, structure, plans, groups, today)
    for structure in STRUCTURES:
        plans = drawn[structure.key]
        set_validation_windows(rng, plans, today)
        for plan in plans:
            price(plan, AMOUNT_SCALE)
            set_target(plan, today)
        allocate_hours(rng, plans, employers, declare_chance=0.7)
        placements = [placement for plan in plans for placement in plan.placements]
        people[structure.key] = assign_people(rng, placements, _population(structure), today=today)
        anchor_lapsing(people[structure.key], today, count=1)
        check_people(people[structure.key], today)
        contracts.extend(plans)
    mark_rejections(rng, contracts, 1)
    return TerritoryPlan(
        name=NETWORK_NAME,
        slug=NETWORK_SLUG,
        territory="Essonne (91)",
        hours_per_fte=HOURS_PER_FTE,
        time_zone=TIME_ZONE,
        default_hourly_cost=TERMS.hourly_cost,
        default_labour_share=Decimal("0.40"),
        default_insertion_rate=Decimal("0.05"),
        organisations=orgs,
        users=list(USERS),
        actors={structure.key: structure.user.email for structure in STRUCTURES},
        contracts=contracts,
        people=people,
        # The charter counts training within 30 % of a contract's obligation, and hours of
        # a temporary-work agency (not an insertion employer) at half their value.
        mode_rules={
            ExecutionMode.TRAINING: (Decimal(1), Decimal("0.30")),
            ExecutionMode.TEMP_AGENCY: (Decimal("0.5"), None),
        },
    )


def _shape(
    rng: random.Random,
    structure: Structure,
    plans: list[ContractPlan],
    groups: dict[str, list[OrgSpec]],
    today: date,
) -> None:
    """Legal bases, modes, lots and outcomes of one structure's contracts."""
    for plan in plans:
        if plan.kind == "private_building":
            plan.legal_basis = LegalBasis.PRIVATE_COMMITMENT
            plan.procedure = Procedure.PRIVATE
            plan.form = ContractForm.PRIVATE_ORDER
            set_mode(rng, plan, ObligationMode.FIXED_HOURS, TERMS)
            plan.notes = (
                "Engagement volontaire du maître d'ouvrage, inscrit à la charte Inclusiv'Essonne."
            )
    if structure.key == "gps":
        # Green spaces reserved to an SIAE (L2113-13), and a school whose works begin soon.
        green = next(plan for plan in plans if plan.kind == "green")
        green.legal_basis = LegalBasis.RESERVED_SIAE
        green.reserved_contract = True
        green.parts[0].company = "aci"
        postpone(rng, next(plan for plan in plans if plan.kind == "school"), today, 3)
    frameworks = [
        plan for plan in plans if KINDS[plan.kind].framework and not plan.reserved_contract
    ]
    if frameworks:
        set_mode(rng, rng.choice(frameworks), ObligationMode.PER_EURO_INVOICED, TERMS)
    for plan in [plan for plan in plans if KINDS[plan.kind].lots][:1]:
        add_lots(rng, plan, groups)
    public = [plan for plan in plans if plan.legal_basis == LegalBasis.EXECUTION_CONDITION]
    chosen = rng.choice(public)
    chosen.legal_basis = LegalBasis.AWARD_CRITERION
    chosen.social_criterion = True
    if structure.key == POOL_STRUCTURE:
        companies = {item.key for item in structure.companies}
        anchor_pool(plans, companies, today, since=POOL_MONTHS + 1, until=POOL_MONTHS_AHEAD)
    for plan in plans:
        if plan.outcome is not Outcome.NOT_STARTED:
            choose_outcome(rng, plan, today)
