"""Static data of the demo territories: trades, names, places, kinds of contract.

Everything here is plausible and fictional: companies, participants and users are
invented; public buyers and prescribers bear the names of real institutions of the
territories, without any real figure attached to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremplin.inclusion.enums import ExecutionMode

# Execution modes and the employer they imply (``None``: the awarded company itself).
MODE_EMPLOYER: dict[str, str | None] = {
    ExecutionMode.DIRECT_CDD: None,
    ExecutionMode.DIRECT_CDI: None,
    ExecutionMode.APPRENTICESHIP: None,
    ExecutionMode.PROFESSIONALISATION: None,
    ExecutionMode.TRAINING: None,
    ExecutionMode.PROVISION_ETTI: "etti",
    ExecutionMode.PROVISION_AI: "ai",
    ExecutionMode.PROVISION_GEIQ: "geiq",
    ExecutionMode.SUBCONTRACTING_SIAE: "aci",
    ExecutionMode.SUBCONTRACTING_DISABILITY: "ea",
}

# Modes whose participants spend part of their month in training.
TRAINING_MODES = frozenset(
    {
        ExecutionMode.APPRENTICESHIP,
        ExecutionMode.PROFESSIONALISATION,
        ExecutionMode.PROVISION_GEIQ,
        ExecutionMode.TRAINING,
    }
)


@dataclass(frozen=True)
class Trade:
    """A family of jobs on a worksite or a service, with the ways people are placed there."""

    key: str
    jobs: tuple[int, ...]  # ROME job title codes (core.RomeJobTitle)
    rome_codes: tuple[str, ...]  # fallback when a job title is missing
    modes: tuple[tuple[str, int], ...]  # (execution mode, weight)
    men_share: float
    placement_months: tuple[int, int]
    monthly_hours: tuple[int, ...]


_WORKS_MODES = (
    (ExecutionMode.DIRECT_CDD, 40),
    (ExecutionMode.DIRECT_CDI, 6),
    (ExecutionMode.APPRENTICESHIP, 6),
    (ExecutionMode.PROFESSIONALISATION, 5),
    (ExecutionMode.PROVISION_ETTI, 22),
    (ExecutionMode.PROVISION_GEIQ, 15),
    (ExecutionMode.TRAINING, 2),
)

TRADES: dict[str, Trade] = {
    trade.key: trade
    for trade in (
        Trade(
            "building",
            # maçon, aide-maçon, manœuvre bâtiment, coffreur, ferrailleur, ouvrier de la maçonnerie
            (16250, 10879, 16351, 12679, 15071, 17441),
            ("F1703", "F1704", "F1701"),
            _WORKS_MODES,
            0.9,
            (3, 12),
            (151, 151, 145, 140, 130, 121),
        ),
        Trade(
            "finishing",
            # peintre, aide peintre, électricien du bâtiment, aide plombier, aide couvreur, aide poseur
            (17619, 38415, 14635, 38414, 38499, 38497),
            ("F1606", "F1602", "F1603", "F1610", "F1607"),
            _WORKS_MODES,
            0.85,
            (2, 8),
            (151, 145, 140, 130, 121),
        ),
        Trade(
            "roads",
            # ouvrier en voiries, compagnon VRD, poseur de bordures, manœuvre routier, terrassier
            (17499, 12780, 17905, 16356, 20309, 10851),
            ("F1702", "F1704"),
            _WORKS_MODES,
            0.92,
            (2, 10),
            (151, 151, 140, 130, 121),
        ),
        Trade(
            "water",
            # canalisateur, poseur de canalisations, manœuvre TP, terrassier, aide maçon VRD
            (11661, 17906, 16357, 20309, 10851),
            ("F1705", "F1704"),
            _WORKS_MODES,
            0.93,
            (2, 9),
            (151, 145, 140, 130),
        ),
        Trade(
            "cleaning",
            # agent de propreté de locaux, de nettoyage en collectivité, nettoyeur polyvalent…
            (10571, 10686, 16982, 10573, 16971),
            ("K2204",),
            (
                (ExecutionMode.DIRECT_CDD, 45),
                (ExecutionMode.DIRECT_CDI, 14),
                (ExecutionMode.PROVISION_ETTI, 14),
                (ExecutionMode.PROVISION_AI, 8),
                (ExecutionMode.SUBCONTRACTING_DISABILITY, 14),
                (ExecutionMode.PROFESSIONALISATION, 5),
            ),
            0.3,
            (4, 14),
            (86, 104, 104, 121, 130, 151),
        ),
        Trade(
            "urban",
            # agent de propreté urbaine, balayeur urbain, éboueur, ripeur, agent de nettoiement
            (10576, 11488, 14545, 19263, 10536),
            ("K2303",),
            (
                (ExecutionMode.DIRECT_CDD, 50),
                (ExecutionMode.DIRECT_CDI, 10),
                (ExecutionMode.PROVISION_ETTI, 25),
                (ExecutionMode.SUBCONTRACTING_SIAE, 12),
                (ExecutionMode.TRAINING, 3),
            ),
            0.75,
            (4, 12),
            (121, 130, 140, 151),
        ),
        Trade(
            "green",
            # ouvrier des espaces verts, jardinier d'espaces verts, manœuvre, agent des parcs
            (17480, 16068, 38437, 10675, 17487),
            ("A1203",),
            (
                (ExecutionMode.DIRECT_CDD, 35),
                (ExecutionMode.SUBCONTRACTING_SIAE, 30),
                (ExecutionMode.PROVISION_ETTI, 12),
                (ExecutionMode.SUBCONTRACTING_DISABILITY, 10),
                (ExecutionMode.APPRENTICESHIP, 6),
                (ExecutionMode.DIRECT_CDI, 5),
            ),
            0.7,
            (3, 12),
            (104, 121, 130, 140, 151),
        ),
        Trade(
            "catering",
            # commis de cuisine de collectivité, cuisinier de collectivité, employé de restauration…
            (12757, 13863, 14786, 10827, 17846),
            ("G1602", "G1603", "G1605"),
            (
                (ExecutionMode.DIRECT_CDD, 50),
                (ExecutionMode.DIRECT_CDI, 14),
                (ExecutionMode.PROVISION_ETTI, 14),
                (ExecutionMode.APPRENTICESHIP, 6),
                (ExecutionMode.PROFESSIONALISATION, 6),
                (ExecutionMode.SUBCONTRACTING_DISABILITY, 6),
            ),
            0.35,
            (4, 12),
            (86, 104, 121, 130, 151),
        ),
        Trade(
            "maintenance",
            # agent de maintenance des bâtiments, ouvrier polyvalent d'entretien, agent d'entretien
            (10489, 17477, 10679),
            ("I1203",),
            (
                (ExecutionMode.DIRECT_CDD, 45),
                (ExecutionMode.DIRECT_CDI, 15),
                (ExecutionMode.PROVISION_ETTI, 20),
                (ExecutionMode.PROFESSIONALISATION, 10),
                (ExecutionMode.SUBCONTRACTING_SIAE, 10),
            ),
            0.8,
            (4, 12),
            (121, 130, 151),
        ),
    )
}


@dataclass(frozen=True)
class ContractKind:
    """A kind of purchase: what it is called, its CPV code, size, duration and trade."""

    key: str
    trade: str
    # Title templates ({place}, {owner}, {classes}, {rooms}, {homes}, {road}, {other}), each
    # with the range of its amount, in thousands of euros before the territory's scaling.
    titles: tuple[tuple[str, int, int], ...]
    cpv_codes: tuple[str, ...]
    duration_months: tuple[int, int]
    works: bool
    framework: bool
    companies: str  # which group of companies bids for it
    lots: bool = False
    environmental_chance: float = 0.3


KINDS: dict[str, ContractKind] = {
    kind.key: kind
    for kind in (
        ContractKind(
            "school",
            "building",
            (
                ("Construction du groupe scolaire de {place} ({classes} classes)", 4000, 11000),
                ("Extension de l'école élémentaire de {place}", 1200, 4000),
                ("Construction d'un réfectoire scolaire à {place}", 800, 2500),
                ("Réhabilitation de l'école maternelle de {place}", 600, 2500),
            ),
            ("45214200",),
            (12, 26),
            True,
            False,
            "building",
            environmental_chance=0.45,
        ),
        ContractKind(
            "secondary",
            "building",
            (
                ("Construction du lycée polyvalent de {place}", 9000, 14000),
                ("Extension du collège de {place} ({rooms} salles de classe)", 3000, 8000),
                ("Réhabilitation et mise aux normes du collège de {place}", 2500, 7000),
                ("Construction d'un internat au lycée de {place}", 4000, 9000),
            ),
            ("45214220", "45214230"),
            (18, 30),
            True,
            False,
            "building",
            lots=True,
            environmental_chance=0.5,
        ),
        ContractKind(
            "housing",
            "building",
            (
                ("Construction de {homes} logements locatifs sociaux à {place}", 2500, 10000),
                ("Réhabilitation de {homes} logements de la résidence {other}", 1500, 5000),
                ("Construction de {homes} logements en accession sociale à {place}", 2500, 8000),
            ),
            ("45211000", "45453000"),
            (14, 28),
            True,
            False,
            "building",
            lots=True,
            environmental_chance=0.4,
        ),
        ContractKind(
            "public_building",
            "building",
            (
                ("Construction de la maison France Services de {place}", 800, 2000),
                ("Réhabilitation de l'hôtel de ville de {place}", 1500, 4500),
                (
                    "Construction d'un centre de protection maternelle et infantile à {place}",
                    1200,
                    3000,
                ),
                ("Aménagement du marché couvert de {place}", 1500, 4000),
                ("Construction d'une salle polyvalente à {place}", 1000, 3000),
                ("Construction d'une médiathèque à {place}", 2000, 6000),
            ),
            ("45210000", "45212000", "45215000"),
            (10, 22),
            True,
            False,
            "building",
            environmental_chance=0.4,
        ),
        ContractKind(
            "private_building",
            "building",
            (
                ("Construction d'un immeuble de bureaux sur le campus de {place}", 4000, 9000),
                ("Réhabilitation d'un bâtiment de laboratoires à {place}", 2500, 7000),
                ("Construction d'un restaurant d'entreprise à {place}", 1500, 4000),
            ),
            ("45210000",),
            (12, 22),
            True,
            False,
            "building",
            environmental_chance=0.7,
        ),
        ContractKind(
            "hospital",
            "building",
            (
                ("Extension du centre médical de référence de {place}", 5000, 12000),
                ("Restructuration du service des urgences du site de {place}", 6000, 12000),
                ("Construction du bâtiment des consultations externes de {place}", 5000, 11000),
            ),
            ("45215140",),
            (18, 30),
            True,
            False,
            "building",
            lots=True,
            environmental_chance=0.3,
        ),
        ContractKind(
            "sports",
            "building",
            (
                ("Construction d'un plateau sportif couvert à {place}", 600, 1800),
                ("Réhabilitation du stade municipal de {place}", 800, 2500),
                ("Construction d'un gymnase à {place}", 2000, 5000),
            ),
            ("45212200", "45212290"),
            (8, 16),
            True,
            False,
            "building",
            environmental_chance=0.3,
        ),
        ContractKind(
            "roads",
            "roads",
            (
                ("Aménagement de la route {road} entre {place} et {other}", 3000, 9000),
                ("Réfection de la voirie communale de {place}", 600, 2500),
                ("Aménagement des trottoirs et de l'éclairage public de {place}", 700, 2500),
                ("Création d'une voie de contournement de {place}", 3000, 9000),
                ("Sécurisation des abords des écoles de {place}", 200, 900),
            ),
            ("45233140", "45233120", "45233141"),
            (8, 22),
            True,
            False,
            "roads",
            environmental_chance=0.25,
        ),
        ContractKind(
            "renewal",
            "roads",
            (
                (
                    "Résorption de l'habitat insalubre de {place} — voirie et réseaux divers",
                    2000,
                    7000,
                ),
                (
                    "Renouvellement urbain du quartier de {place} — aménagement des espaces publics",
                    2000,
                    6000,
                ),
            ),
            ("45233120", "45112500"),
            (12, 26),
            True,
            False,
            "roads",
            environmental_chance=0.35,
        ),
        ContractKind(
            "water",
            "water",
            (
                ("Création du réseau d'eaux pluviales de {place}", 800, 4000),
                ("Extension du réseau d'assainissement de {place}", 1000, 5000),
                ("Réhabilitation des réseaux d'eaux usées de {place}", 800, 3500),
                ("Renforcement du réseau d'eau potable de {place}", 1000, 5000),
            ),
            ("45232130", "45232410", "45231300"),
            (8, 20),
            True,
            False,
            "water",
            environmental_chance=0.5,
        ),
        ContractKind(
            "cleaning",
            "cleaning",
            (
                ("Nettoyage des bâtiments {owner}", 600, 3000),
                ("Nettoyage des écoles de {place}", 300, 1500),
                ("Entretien ménager des locaux {owner}", 400, 2000),
            ),
            ("90911200", "90919200"),
            (24, 48),
            False,
            True,
            "cleaning",
            environmental_chance=0.35,
        ),
        ContractKind(
            "urban",
            "urban",
            (
                ("Propreté urbaine et balayage des voies de {place}", 1500, 6000),
                (
                    "Collecte des encombrants et résorption des dépôts sauvages de {place}",
                    800,
                    3000,
                ),
                ("Nettoiement des berges et des espaces publics de {place}", 500, 2000),
            ),
            ("90610000", "90511000", "90680000"),
            (24, 48),
            False,
            True,
            "urban",
            environmental_chance=0.5,
        ),
        ContractKind(
            "green",
            "green",
            (
                ("Entretien des espaces verts {owner}", 400, 1500),
                ("Débroussaillage et entretien des bords de route de {place}", 300, 1200),
                ("Entretien des espaces verts et des aires de jeux de {place}", 110, 600),
            ),
            ("77310000", "77311000", "77314000"),
            (12, 48),
            False,
            True,
            "green",
            environmental_chance=0.6,
        ),
        ContractKind(
            "catering",
            "catering",
            (
                ("Fourniture et service des collations scolaires de {place}", 800, 5000),
                ("Restauration scolaire des écoles de {place}", 1000, 6000),
                ("Restauration des personnels et des usagers {owner}", 1500, 5000),
            ),
            ("55524000", "55523100", "55321000"),
            (24, 48),
            False,
            True,
            "catering",
            environmental_chance=0.45,
        ),
        ContractKind(
            "maintenance",
            "maintenance",
            (
                ("Maintenance et petits travaux d'entretien des bâtiments {owner}", 300, 2000),
                ("Entretien courant et dépannage des équipements {owner}", 300, 1500),
            ),
            ("50700000",),
            (24, 48),
            False,
            True,
            "finishing",
            environmental_chance=0.2,
        ),
    )
}

# Lots of a building contract: (title, share of the amount, trade, company group).
BUILDING_LOTS: tuple[tuple[str, float, str, str], ...] = (
    ("Gros œuvre", 0.48, "building", "building"),
    ("Voiries et réseaux divers", 0.14, "roads", "roads"),
    ("Charpente et couverture", 0.12, "finishing", "roofing"),
    ("Menuiseries extérieures et intérieures", 0.10, "finishing", "joinery"),
    ("Électricité, courants forts et faibles", 0.09, "finishing", "electricity"),
    ("Peinture et revêtements", 0.07, "finishing", "painting"),
)

FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# People ---------------------------------------------------------------------------------

MAYOTTE_MEN = (
    "Ali", "Ahmed", "Abdou", "Anli", "Attoumani", "Bacar", "Boinali", "Chamsidine",
    "Daoud", "Djamal", "Faïd", "Fahardine", "Hamada", "Houssamoudine", "Ibrahim", "Ismaël",
    "Kamal", "Madi", "Mohamed", "Moussa", "Nassuf", "Omar", "Rachidi", "Saïd", "Salim",
    "Soilihi", "Toybou", "Youssouf", "Zoubert", "Hamidou", "Mouslim", "Nourdine", "Issouf",
    "Ousseni", "Abdallah", "Mansour", "Kassim", "Anrifi", "Said-Ali", "Chaharoumani",
)  # fmt: skip
MAYOTTE_WOMEN = (
    "Amina", "Anziza", "Asma", "Chamsia", "Echati", "Fatima", "Fatouma", "Hadidja",
    "Hanima", "Mariame", "Mouhoubati", "Nadjati", "Nafissa", "Naïma", "Rahamatou",
    "Riziki", "Roukia", "Sitti", "Zaïnaba", "Zalia", "Zamzam", "Zoulfati", "Faouzia",
    "Moinaecha", "Saandia", "Soifia", "Mwanaidi", "Hadia", "Anlia", "Bahia", "Chadia",
    "Djamila", "Ermine", "Kalathoumi", "Latufa", "Mounira", "Nouriati", "Oumrati",
)  # fmt: skip
MAYOTTE_SURNAMES = (
    "Abdallah", "Ahamada", "Ali", "Andjilani", "Assani", "Attoumani", "Bacar", "Boina",
    "Boinaidi", "Chanfi", "Combo", "Daroueche", "Djoumoi", "Halidi", "Hamada", "Hamidouni",
    "Houmadi", "Ibrahim", "Issouf", "Kassim", "Madi", "Mdallah", "Mohamed", "M'Colo",
    "Moussa", "Ousseni", "Saïd", "Saindou", "Salime", "Soilihi", "Souffou", "Toiliha",
    "Youssouf", "Zoubert", "Ambdi", "Anzizi", "Mdahoma", "Mlanao", "Nomane", "Oili",
    "Sidi", "Abdou", "Allaoui", "Mogne", "Dhoimir", "Massoundi", "Boinahery", "Chakir",
)  # fmt: skip

ESSONNE_MEN = (
    "Kevin", "Mamadou", "Sofiane", "Karim", "Moussa", "Thomas", "Jordan", "Amadou",
    "Samba", "Mehdi", "Nabil", "Didier", "Patrick", "Bruno", "Rachid", "Youssef",
    "Ibrahima", "Lucas", "Dylan", "Anthony", "Julien", "Nicolas", "Sébastien", "Bilal",
    "Adama", "Christophe", "Hugo", "Yanis", "Rayan", "Franck", "Steve", "Djibril",
)  # fmt: skip
ESSONNE_WOMEN = (
    "Yasmine", "Aïssata", "Julie", "Nathalie", "Fatoumata", "Océane", "Inès", "Sandrine",
    "Christelle", "Jessica", "Laetitia", "Aminata", "Mariam", "Manon", "Sarah", "Sabrina",
    "Kadiatou", "Nadia", "Samira", "Céline", "Audrey", "Émilie", "Leïla", "Mélissa",
    "Hawa", "Stéphanie", "Cindy", "Assa", "Naïma", "Valérie",
)  # fmt: skip
ESSONNE_SURNAMES = (
    "Martin", "Bernard", "Diallo", "Traoré", "Camara", "Nguyen", "Da Silva", "Ferreira",
    "Petit", "Durand", "Leroy", "Moreau", "Fofana", "Koné", "Benali", "Haddad", "Mendes",
    "Lefebvre", "Girard", "Bonnet", "Sylla", "Cissé", "Diop", "Ndiaye", "Roux",
    "Fournier", "Morel", "Mercier", "Blanc", "Garnier", "Chevalier", "Faure", "Rodrigues",
    "Lopes", "Kaci", "Belkacem", "Mabiala", "Kouassi", "Lambert", "Fontaine", "Dupont",
    "Rousseau", "Vincent", "Bouzid", "Sow", "Baptiste", "Gomes", "Pereira",
)  # fmt: skip

# Places: (commune, postal code).
MAYOTTE_COMMUNES: tuple[tuple[str, str], ...] = (
    ("Mamoudzou", "97600"),
    ("Koungou", "97690"),
    ("Dzaoudzi", "97615"),
    ("Pamandzi", "97615"),
    ("Sada", "97640"),
    ("Chirongui", "97620"),
    ("Bandraboua", "97650"),
    ("Tsingoni", "97680"),
    ("Dembéni", "97660"),
    ("Bandrélé", "97660"),
    ("Kani-Kéli", "97625"),
    ("Bouéni", "97620"),
    ("Chiconi", "97670"),
    ("Ouangani", "97670"),
    ("M'Tsangamouji", "97650"),
    ("Acoua", "97630"),
    ("Mtsamboro", "97630"),
)
# Where people live, weighted towards the most populated communes.
MAYOTTE_HOME_WEIGHTS = (30, 14, 6, 5, 4, 4, 4, 4, 6, 3, 2, 2, 3, 3, 2, 1, 2)

ESSONNE_COMMUNES: dict[str, tuple[tuple[str, str], ...]] = {
    "nord": (
        ("Athis-Mons", "91200"),
        ("Juvisy-sur-Orge", "91260"),
        ("Savigny-sur-Orge", "91600"),
        ("Viry-Châtillon", "91170"),
        ("Paray-Vieille-Poste", "91550"),
        ("Morangis", "91420"),
    ),
    "coeur": (
        ("Brétigny-sur-Orge", "91220"),
        ("Sainte-Geneviève-des-Bois", "91700"),
        ("Arpajon", "91290"),
        ("Saint-Michel-sur-Orge", "91240"),
        ("Morsang-sur-Orge", "91390"),
        ("Fleury-Mérogis", "91700"),
    ),
    "sud": (
        ("Étampes", "91150"),
        ("Dourdan", "91410"),
        ("Mennecy", "91540"),
        ("Milly-la-Forêt", "91490"),
        ("Ballancourt-sur-Essonne", "91610"),
    ),
    "saclay": (
        ("Massy", "91300"),
        ("Palaiseau", "91120"),
        ("Les Ulis", "91940"),
        ("Orsay", "91400"),
        ("Longjumeau", "91160"),
        ("Chilly-Mazarin", "91380"),
    ),
    "gps": (
        ("Évry-Courcouronnes", "91000"),
        ("Corbeil-Essonnes", "91100"),
        ("Grigny", "91350"),
        ("Ris-Orangis", "91130"),
        ("Saint-Germain-lès-Corbeil", "91250"),
        ("Bondoufle", "91070"),
    ),
}
