"""Spreadsheets of monthly hours, as companies really send them. Pure: no Django.

A file comes as xlsx, xls or ods (read by python-calamine, which gives the cached value
of formula cells) or as csv (French exports: semicolons, Windows-1252, decimal commas,
thousands grouped with spaces). This module opens it, finds the header row under a title
or a two-level merged header, recognises the columns whatever their spelling, turns cells
into numbers, months and dates, and writes the two spreadsheets Tremplin hands out: the
template to fill in and the annotated copy of a file with errors.

Every message is French: it is shown as is to the person who sent the file.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook, SheetVisibleEnum

Cell = (
    int
    | float
    | str
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | None
)

FORMATS = ("xlsx", "xls", "ods", "csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH_ROWS = 10
CENT = Decimal("0.01")

# The fields a row of hours may carry. "employer" and "job" are read for the reader's
# sake (the template prints them) and never checked.
FIELDS: dict[str, str] = {
    "placement": "N° de mise en emploi",
    "last_name": "Nom",
    "first_name": "Prénom",
    "full_name": "Nom et prénom (une seule colonne)",
    "birth_date": "Date de naissance",
    "contract": "Référence du marché",
    "month": "Mois",
    "hours_worked": "Heures travaillées",
    "training_hours": "Heures de formation",
    "employer": "Employeur",
    "job": "Poste",
}
IGNORED = ""  # a column mapped to nothing: read past
REQUIRED_FIELDS = ("month", "hours_worked")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "placement": (
        "N° mise en emploi",
        "N° de mise en emploi",
        "Numéro de mise en emploi",
        "Numéro mise en emploi",
        "Mise en emploi",
        "Identifiant",
        "Identifiant mise en emploi",
        "Id",
        "N° ME",
    ),
    "last_name": (
        "Nom",
        "Nom de famille",
        "Nom d'usage",
        "Nom de naissance",
        "Nom du salarié",
        "Nom salarié",
        "Nom du participant",
        "Nom participant",
    ),
    # One column holding the whole name, surname first or not, as payroll exports write it.
    "full_name": (
        "Nom et prénom",
        "Nom prénom",
        "Nom - Prénom",
        "Nom / Prénom",
        "Prénom et nom",
        "Prénom nom",
        "Nom complet",
        "Nom et prénom du salarié",
        "Nom prénom du salarié",
        "Nom et prénom du participant",
        "Nom prénom du participant",
        "Identité",
        "Identité du salarié",
        "Salarié",
        "Salariée",
        "Salarié en insertion",
        "Intérimaire",
        "Nom de l'intérimaire",
        "Bénéficiaire",
        "Nom du bénéficiaire",
        "Collaborateur",
        "Employé",
    ),
    "first_name": (
        "Prénom",
        "Prénom du salarié",
        "Prénom salarié",
        "Prénom du participant",
        "Prénom participant",
    ),
    "birth_date": (
        "Date de naissance",
        "Date naissance",
        "Naissance",
        "Né le",
        "Née le",
        "DDN",
    ),
    "contract": (
        "Marché",
        "Référence marché",
        "Référence du marché",
        "Réf marché",
        "Réf. marché",
        "N° marché",
        "N° de marché",
        "Numéro de marché",
    ),
    "month": (
        "Mois",
        "Période",
        "Mois concerné",
        "Mois travaillé",
        "Mois de réalisation",
        "Période de paie",
        "Date",
    ),
    "hours_worked": (
        "Heures",
        "Heures travaillées",
        "Nb heures",
        "Nb d'heures",
        "Nombre d'heures",
        "Nombre d'heures travaillées",
        "Nb heures travaillées",
        "Heures réalisées",
        "Heures de travail",
        "Heures d'insertion",
        "Total heures",
        "Travaillées",
        "Volume horaire",
    ),
    "training_hours": (
        "Heures de formation",
        "Heures formation",
        "Formation",
        "Nb heures formation",
        "Nb heures de formation",
        "Nombre d'heures de formation",
    ),
    "employer": ("Employeur", "Entreprise", "Société", "Raison sociale"),
    "job": ("Poste", "Emploi", "Métier", "Poste occupé", "Fonction"),
}

MONTH_NAMES: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "february": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "june": 6,
    "jun": 6,
    "juillet": 7,
    "juil": 7,
    "july": 7,
    "jul": 7,
    "aout": 8,
    "aou": 8,
    "august": 8,
    "aug": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}


class SpreadsheetError(ValueError):
    """A file that cannot be read; its message is French and shown as is."""


class CellError(ValueError):
    """A cell that does not hold what its column asks for; the message is French."""


# Text -----------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents: "Prénom" and "PRENOM" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@lru_cache(maxsize=65536)  # names and headers repeat from row to row
def header_key(text: str) -> str:
    """What is left of a header once case, accents, spaces, punctuation and a unit in
    brackets are dropped: "N° mise en emploi", "n mise-en-emploi" give the same key."""
    folded = fold(text)
    without_brackets = re.sub(r"\([^)]*\)", "", folded)
    key = re.sub(r"[^a-z0-9]", "", without_brackets)
    return key or re.sub(r"[^a-z0-9]", "", folded)


SYNONYM_KEYS: dict[str, str] = {
    header_key(name): field for field, names in SYNONYMS.items() for name in names
}


# Headers that name the surname beside a "Prénom" column, and the whole name without one.
SURNAME_OR_FULL_NAME = frozenset(
    header_key(name)
    for name in (
        "Nom du salarié",
        "Nom salarié",
        "Nom du participant",
        "Nom participant",
    )
)

# Headers that name the person by a word alone ("Salarié"): the whole name, unless a
# "Prénom" column stands beside them, when nobody can tell what they hold.
PERSON_WORDS = frozenset(
    header_key(name)
    for name in (
        "Identité",
        "Salarié",
        "Salariée",
        "Salarié en insertion",
        "Intérimaire",
        "Bénéficiaire",
        "Collaborateur",
        "Employé",
    )
)

_NAME_APOSTROPHES = re.compile(r"['’`´]")
_NAME_SEPARATORS = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)  # names repeat from row to row
def name_key(text: str) -> tuple[str, ...]:
    """The words of a person's name, folded and sorted, whatever their order, case,
    accents, hyphens or spaces: "DUPONT-MOREAU Marie-Claire" and "Marie Claire Dupont
    Moreau" give the same key; "N'Diaye" and "NDIAYE" too."""
    folded = _NAME_APOSTROPHES.sub("", fold(text))
    return tuple(sorted(word for word in _NAME_SEPARATORS.split(folded) if word))


def recognise(label: str, remembered: Mapping[str, str]) -> str | None:
    """The field a header means: the organisation's own choice first, then the usual
    names. ``IGNORED`` for a column set aside, None for a column nobody knows."""
    key = header_key(label)
    if not key:
        return None
    if key in remembered:
        return remembered[key]
    return SYNONYM_KEYS.get(key)


def cell_text(value: Cell) -> str:
    """A cell as the reader sees it: ``12`` not ``12.0``, dates the French way."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return str(value).replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() else value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _quoted(value: Cell) -> str:
    return f"« {cell_text(value)} »"


# Numbers, months and dates --------------------------------------------------------------

_GROUPING = re.compile(r"[\s\u00a0\u202f\u2009\u2007]")
_HOURS_AND_MINUTES = re.compile(r"^(\d+)\s*(?:h|:)\s*(\d{1,2})(?:\s*(?:min|mn|m))?$")
_UNIT = re.compile(r"(?:heures?|hrs?|h)$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_number(value: Cell) -> Decimal | None:
    """A number of hours: ``12,5``, ``1 234,50`` (spaces or narrow no-break spaces),
    ``1.234,5``, ``12.5``, ``7h30``, a number cell or a duration cell. None when empty."""
    if value is None:
        return None
    if isinstance(value, bool | datetime.date):
        raise CellError(f"{_quoted(value)} n'est pas un nombre d'heures.")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"{_quoted(value)} n'est pas un nombre d'heures.")
        return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, datetime.timedelta):
        return (Decimal(value.total_seconds()) / 3600).quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, datetime.time):
        elapsed = value.hour * 60 + value.minute + Decimal(value.second) / 60
        return (elapsed / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    text = fold(str(value)).strip()
    if not text:
        return None
    compact = _GROUPING.sub("", text)
    hours_minutes = _HOURS_AND_MINUTES.match(compact)
    if hours_minutes:
        whole, minutes = int(hours_minutes[1]), int(hours_minutes[2])
        if minutes >= 60:
            raise CellError(f"{_quoted(value)} n'est pas une durée lisible.")
        return (whole + Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    compact = _UNIT.sub("", compact)
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")  # 1.234,5
        else:
            compact = compact.replace(",", "")  # 1,234.5
    elif compact.count(",") == 1:
        compact = compact.replace(",", ".")  # 12,5
    elif compact.count(",") > 1:
        compact = compact.replace(",", "")  # 1,234,567
    elif compact.count(".") > 1:
        compact = compact.replace(".", "")  # 1.234.567
    if not _NUMBER.match(compact):
        raise CellError(f"{_quoted(value)} n'est pas un nombre d'heures.")
    try:
        return Decimal(compact).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as error:  # pragma: no cover - the pattern above forbids it
        raise CellError(f"{_quoted(value)} n'est pas un nombre d'heures.") from error


EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _from_serial(value: float) -> datetime.date:
    """An Excel serial day number (46082 is 01/03/2026)."""
    return EXCEL_EPOCH + datetime.timedelta(days=int(value))


def _year(text: str, *, century_pivot: int) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 1900 if year > century_pivot else 2000
    return year


def _checked(year: int, month: int, day: int, value: Cell) -> datetime.date:
    try:
        result = datetime.date(year, month, day)
    except ValueError as error:
        raise CellError(f"{_quoted(value)} n'est pas une date qui existe.") from error
    if not 1900 <= result.year <= 2200:
        raise CellError(f"{_quoted(value)} n'est pas une date plausible.")
    return result


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s.*)?$")
_ISO_DATE = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[\sT].*)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})[/.\-](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4}|\d{2})$")
_NAMED_MONTH = re.compile(r"^(?:\d{1,2}(?:er)?\s+)?([a-z]+)\.?[\s\-/.']*(\d{4}|\d{2})$")
_COMPACT_YEAR_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")


def parse_month(value: Cell) -> datetime.date | None:
    """The month a row is about, as its first day: ``01/03/2026``, ``2026-03``,
    ``03/2026``, ``mars 2026``, ``mars-26``, ``202603``, a date cell or an Excel serial
    number. None when empty."""
    if value is None:
        return None
    if isinstance(value, bool | datetime.time | datetime.timedelta):
        raise CellError(f"{_quoted(value)} n'est pas un mois (écrivez par exemple 03/2026).")
    if isinstance(value, datetime.date):  # datetime is a date too
        return datetime.date(value.year, value.month, 1)
    if isinstance(value, int | float):
        return _month_of_number(value, value)
    text = fold(str(value)).strip()
    if not text:
        return None
    if _SERIAL.match(text):
        return _month_of_number(float(text.replace(",", ".")), value)
    for pattern, order in (
        (_DAY_MONTH_YEAR, "dmy"),
        (_ISO_DATE, "ymd"),
        (_YEAR_MONTH, "ym"),
        (_MONTH_YEAR, "my"),
        (_COMPACT_YEAR_MONTH, "ym"),
    ):
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            year = _year(parts["y"], century_pivot=99)
            month = int(parts["m"])
            if not 1 <= month <= 12:
                break
            if "d" in parts:
                _checked(year, month, int(parts["d"]), value)
            return _checked(year, month, 1, value)
    named = _NAMED_MONTH.match(text)
    if named and named[1] in MONTH_NAMES:
        return _checked(_year(named[2], century_pivot=99), MONTH_NAMES[named[1]], 1, value)
    raise CellError(f"{_quoted(value)} n'est pas un mois lisible (écrivez par exemple 03/2026).")


def _month_of_number(number: float, value: Cell) -> datetime.date:
    if number == int(number) and 190001 <= number <= 220012 and 1 <= int(number) % 100 <= 12:
        return datetime.date(int(number) // 100, int(number) % 100, 1)  # 202603
    if 1 <= number < 2958466:
        day = _from_serial(number)
        if 1990 <= day.year <= 2200:  # a month of work, not a small number
            return datetime.date(day.year, day.month, 1)
    raise CellError(f"{_quoted(value)} n'est pas un mois lisible (écrivez par exemple 03/2026).")


def parse_date(value: Cell) -> datetime.date | None:
    """A day: ``17/05/1990``, ``17/05/90``, ``1990-05-17``, a date cell or an Excel
    serial number. A two-digit year after 30 is in the 1900s. None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    message = f"{_quoted(value)} n'est pas une date lisible (écrivez par exemple 17/05/1990)."
    if isinstance(value, bool | datetime.time | datetime.timedelta):
        raise CellError(message)
    if isinstance(value, int | float):
        if 1 <= value < 2958466:
            return _from_serial(value)
        raise CellError(message)
    text = fold(str(value)).strip()
    if not text:
        return None
    if _SERIAL.match(text):
        return _from_serial(float(text.replace(",", ".")))
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        return _checked(_year(match[3], century_pivot=30), int(match[2]), int(match[1]), value)
    match = _ISO_DATE.match(text)
    if match:
        return _checked(int(match[1]), int(match[2]), int(match[3]), value)
    raise CellError(message)


_IDENTIFIER = re.compile(r"^(?:n°|no|n|#)?\s*(\d+)$")


def parse_identifier(value: Cell) -> int | None:
    """A placement number: ``12``, ``12.0``, ``n° 12``. None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{_quoted(value)} n'est pas un numéro de mise en emploi.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and value > 0:
            return int(value)
        raise CellError(f"{_quoted(value)} n'est pas un numéro de mise en emploi.")
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise CellError(f"{_quoted(value)} n'est pas un numéro de mise en emploi.")
    text = fold(str(value)).strip()
    if not text:
        return None
    match = _IDENTIFIER.match(text.replace(" ", ""))
    if not match:
        raise CellError(f"{_quoted(value)} n'est pas un numéro de mise en emploi.")
    return int(match[1])


# Files ----------------------------------------------------------------------------------


def file_format(name: str, head: bytes) -> str:
    """The format of an uploaded file from its extension, checked against its first bytes."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise SpreadsheetError(
            "Format non reconnu : envoyez un classeur .xlsx, .xls ou .ods, ou un fichier .csv."
        )
    if not head:
        raise SpreadsheetError("Le fichier est vide.")
    workbook = head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC)
    if extension == "ods" and not head.startswith(ZIP_MAGIC):
        raise SpreadsheetError(
            "Le contenu du fichier ne correspond pas à un classeur .ods : enregistrez-le "
            "de nouveau depuis votre tableur."
        )
    if extension in ("xlsx", "xls") and not workbook:
        raise SpreadsheetError(
            f"Le contenu du fichier ne correspond pas à un classeur .{extension} : "
            "enregistrez-le de nouveau depuis votre tableur."
        )
    if extension == "csv" and (workbook or b"\x00" in head):
        raise SpreadsheetError(
            "Ce fichier .csv n'est pas du texte : envoyez le classeur tel quel (.xlsx, .ods) "
            "ou enregistrez-le au format CSV."
        )
    return extension


@dataclass(frozen=True)
class TableLimits:
    """What one file may cost to read. A workbook is a zip of XML: its members are
    inflated once, as a stream, before the spreadsheet reader opens it, and refused past
    ``max_unzipped_bytes`` or ``max_zip_ratio`` (what the zip's directory declares is
    checked first, then what really comes out). The sheet's extent, from the positions of
    its cells, must stay within ``max_cells`` and ``max_columns`` (the reader allocates
    every cell of the rectangle). A CSV line may not run past ``max_line_bytes``."""

    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: int = 200
    max_cells: int = 2_000_000
    max_columns: int = 200
    max_line_bytes: int = 64 * 1024


DEFAULT_LIMITS = TableLimits()
RESAVE = "enregistrez-le de nouveau depuis votre tableur"


def _too_big(what: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"Fichier refusé : {what}. Gardez la seule feuille des heures, supprimez les lignes "
        f"et colonnes vides en trop, puis {RESAVE} ; ou envoyez les heures en plusieurs fichiers."
    )


# A cell of an xlsx sheet (any namespace prefix), and its position when it gives one.
_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_XLSX_CELL_AT = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^<>]*?\br=[\"']([A-Z]{1,3})([0-9]{1,7})[\"']"
)
UNZIP_CHUNK = 1024 * 1024


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(data: bytes, file_format: str, limits: TableLimits = DEFAULT_LIMITS) -> None:
    """Refuse, before the spreadsheet reader opens it, a workbook that would cost too much:
    a zip bomb, a zip that is not whole, a sheet whose cells spread too far."""
    if not data.startswith(ZIP_MAGIC):
        return  # .xls: a compound file, read within the format's own bounds
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise SpreadsheetError(
            f"Le fichier n'a pas pu être lu comme un classeur .{file_format} (archive "
            f"illisible ou tronquée) : {RESAVE}."
        ) from error
    declared = sum(member.file_size for member in members)
    if declared > limits.max_unzipped_bytes or any(
        member.file_size > limits.max_zip_ratio * max(member.compress_size, 1)
        and member.file_size > 1024 * 1024
        for member in members
    ):
        raise _too_big(_unzipped_text(limits))
    inflated = 0
    try:
        for member in members:
            sheet = file_format == "xlsx" and member.filename.startswith("xl/worksheets/")
            extent = _Extent() if sheet else None
            with archive.open(member) as stream:
                while chunk := stream.read(UNZIP_CHUNK):
                    inflated += len(chunk)
                    if inflated > limits.max_unzipped_bytes:
                        raise _too_big(_unzipped_text(limits))
                    if extent is not None:
                        extent.feed(chunk, limits)
            if extent is not None:
                extent.close(limits)
    except SpreadsheetError:
        raise
    except Exception as error:  # a member cut, corrupt, encrypted, or badly compressed
        raise SpreadsheetError(
            f"Le fichier n'a pas pu être lu comme un classeur .{file_format} (archive "
            f"illisible ou tronquée) : {RESAVE}."
        ) from error


def _unzipped_text(limits: TableLimits) -> str:
    megabytes = limits.max_unzipped_bytes // (1024 * 1024)
    return f"une fois décompressé, le classeur dépasserait {megabytes} Mo"


class _Extent:
    """How far the cells of an xlsx sheet spread, from their positions, chunk by chunk."""

    def __init__(self) -> None:
        self.rows = 0
        self.columns = 0
        self.cells = 0
        self.placed = 0
        self.carried = b""

    def feed(self, chunk: bytes, limits: TableLimits) -> None:
        text = self.carried + chunk
        # A tag cut by the chunk's end is read with the next chunk.
        cut = text.rfind(b"<")
        if cut < 0 or len(text) - cut > 4096:
            cut = len(text)
        self.carried, text = text[cut:], text[:cut]
        self.cells += len(_XLSX_CELL.findall(text))
        for letters, digits in _XLSX_CELL_AT.findall(text):
            self.placed += 1
            self.columns = max(self.columns, _column_number(letters))
            self.rows = max(self.rows, int(digits))
        self._check(limits)

    def close(self, limits: TableLimits) -> None:
        self.feed(b"", limits)
        if self.carried:
            self.carried = b""
        if self.cells != self.placed:
            # Without positions, the reader places cells one after the other: their
            # extent cannot be known before it allocates them.
            raise SpreadsheetError(
                f"Des cellules du classeur ne donnent pas leur position : {RESAVE}."
            )

    def _check(self, limits: TableLimits) -> None:
        if self.columns > limits.max_columns:
            raise _too_big(
                f"la feuille s'étend sur {_count(self.columns)} colonnes, au-delà des "
                f"{_count(limits.max_columns)} lues"
            )
        if self.rows * max(self.columns, 1) > limits.max_cells or self.cells > limits.max_cells:
            raise _too_big(f"la feuille s'étend sur plus de {_count(limits.max_cells)} cellules")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def decode_text(data: bytes) -> str:
    """CSV text in UTF-8 (with or without the BOM Excel adds) or else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;`` (French spreadsheets), tab or ``,``: the one that cuts the first lines into
    the same number of columns most often (a decimal comma does not)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ";", (0, 0)
    for delimiter in (";", "\t", ","):
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        modal, _count = Counter(widths).most_common(1)[0] if widths else (1, 0)
        if modal < 2:
            continue
        score = (sum(1 for width in widths if width == modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass(frozen=True)
class Merge:
    """A merged range of cells, 0-based and inclusive."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trimmed(row: Sequence[Cell], offset: int = 0) -> list[Cell]:
    cells: list[Cell] = [None] * offset
    cells.extend(None if _blank(value) else value for value in row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


class Table:
    """The sheet of hours of a file: the first visible sheet of a workbook, or a CSV.

    ``rows()`` yields ``(line, cells)`` for each row that is not empty: the line number
    as the spreadsheet shows it (from 1) and the cells from column A, empty ones as None,
    empty trailing cells dropped. It may be read several times.
    """

    def __init__(self, data: bytes, file_format: str, limits: TableLimits = DEFAULT_LIMITS) -> None:
        self.format = file_format
        self.limits = limits
        self.merges: list[Merge] = []
        self.sheet_name = "Heures"
        self._text = ""
        self._delimiter = ";"
        self._sheet: Any = None
        self._offset = (0, 0)
        self.last_line = 0
        if file_format == "csv":
            self._text = decode_text(data)
            if max(map(len, self._text.split("\n"))) > limits.max_line_bytes:
                raise _too_big(
                    f"une ligne dépasse {_count(limits.max_line_bytes // 1024)} Kio "
                    "(le fichier n'est peut-être pas coupé en lignes)"
                )
            self._delimiter = sniff_delimiter(self._text)
            self.last_line = self._text.count("\n") + 1
            return
        check_workbook(data, file_format, limits)
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            index = next(
                (
                    position
                    for position, sheet in enumerate(book.sheets_metadata)
                    if sheet.visible == SheetVisibleEnum.Visible
                ),
                0,
            )
            self._sheet = book.get_sheet_by_index(index)
        except Exception as error:
            raise SpreadsheetError(
                f"Le fichier n'a pas pu être lu comme un classeur .{file_format} : "
                "enregistrez-le de nouveau depuis votre tableur."
            ) from error
        except BaseException as error:  # the reader's panics are not Exceptions
            if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            raise SpreadsheetError(
                f"Le fichier n'a pas pu être lu comme un classeur .{file_format} : "
                "enregistrez-le de nouveau depuis votre tableur."
            ) from error
        self.sheet_name = self._sheet.name
        start, end = self._sheet.start, self._sheet.end
        if start is not None and end is not None:
            self._offset = start
            self.last_line = end[0] + 1
            columns = end[1] + 1
            if columns > limits.max_columns:
                raise _too_big(
                    f"la feuille s'étend sur {_count(columns)} colonnes, au-delà des "
                    f"{_count(limits.max_columns)} lues"
                )
            if (end[0] - start[0] + 1) * (end[1] - start[1] + 1) > limits.max_cells:
                raise _too_big(
                    f"la feuille s'étend sur plus de {_count(limits.max_cells)} cellules"
                )
        for (first_row, first_column), (last_row, last_column) in (
            self._sheet.merged_cell_ranges or []
        ):
            self.merges.append(Merge(first_row, first_column, last_row, last_column))

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        if self.format == "csv":
            reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self._delimiter)
            line = 0
            try:
                for line, record in enumerate(reader, start=1):
                    if len(record) > self.limits.max_columns:
                        raise _too_big(
                            f"la ligne {line} compte {_count(len(record))} colonnes, au-delà "
                            f"des {_count(self.limits.max_columns)} lues"
                        )
                    cells = _trimmed(record)
                    if cells:
                        yield line, cells
            except csv.Error as error:
                raise SpreadsheetError(
                    f"Ligne {line + 1} illisible ({error}) : enregistrez le fichier au format "
                    "CSV depuis votre tableur."
                ) from error
            return
        if self._sheet is None or self.last_line == 0:
            return
        first_row, first_column = self._offset
        for index, record in enumerate(self._sheet.iter_rows()):
            cells = _trimmed(record, first_column)
            if cells:
                yield first_row + index + 1, cells


def open_table(data: bytes, file_format: str, limits: TableLimits = DEFAULT_LIMITS) -> Table:
    """The sheet of hours of a file. Raises SpreadsheetError (in French) for any file it
    cannot read within ``limits``, never anything else."""
    return Table(data, file_format, limits)


# The header -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int  # 0-based, column A is 0
    label: str  # as written in the file (both levels of a two-level header)
    field: str | None  # a key of FIELDS, IGNORED, or None when not recognised

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))

    @property
    def key(self) -> str:
        return header_key(self.label)


@dataclass(frozen=True)
class Header:
    line: int  # 0 when the file has no row at all
    columns: tuple[Column, ...]

    def fields(self) -> dict[str, Column]:
        found: dict[str, Column] = {}
        for column in self.columns:
            if column.field and column.field not in found:
                found[column.field] = column
        return found

    def unknown(self) -> list[Column]:
        return [column for column in self.columns if column.field is None]

    def missing(self) -> list[str]:
        """What the columns lack to read a row, in French (empty when nothing lacks)."""
        fields = self.fields()
        missing = [FIELDS[name] for name in REQUIRED_FIELDS if name not in fields]
        named = {"last_name", "first_name"} <= set(fields) or "full_name" in fields
        if "placement" not in fields and not named:
            missing.insert(
                0,
                f"{FIELDS['placement']} (ou bien {FIELDS['last_name']} et "
                f"{FIELDS['first_name']}, ou une colonne « Nom et prénom »)",
            )
        return missing


def _fill_merges(grid: dict[int, list[Cell]], merges: Iterable[Merge]) -> None:
    """Give every cell of a merged range the value of its top-left cell."""
    for merge in merges:
        top = grid.get(merge.first_row + 1)
        if top is None or merge.first_column >= len(top):
            continue
        value = top[merge.first_column]
        for line in range(merge.first_row + 1, merge.last_row + 2):
            row = grid.get(line)
            if row is None:
                continue
            for column in range(merge.first_column, merge.last_column + 1):
                while len(row) <= column:
                    row.append(None)
                if row[column] is None:
                    row[column] = value


def _columns(
    row: Sequence[Cell], above: Sequence[Cell] | None, remembered: Mapping[str, str]
) -> list[Column]:
    """The columns of a candidate header row. A two-level header reads "Heures" above
    "travaillées" as "Heures travaillées"; a header cell merged down is read above."""
    group_row = list(above or [])
    width = max(len(row), len(group_row))
    columns: list[Column] = []
    group = ""
    for index in range(width):
        sub = cell_text(row[index]) if index < len(row) else ""
        direct = cell_text(group_row[index]) if index < len(group_row) else ""
        group = direct or group
        candidates = [label for label in (sub, f"{group} {sub}".strip() if sub else "") if label]
        if not sub and direct:
            candidates.append(direct)
        chosen = next(
            (label for label in candidates if recognise(label, remembered) is not None), None
        )
        if chosen is None:
            chosen = sub or (direct if not sub else "")
            if not chosen:
                continue
        columns.append(Column(index=index, label=chosen, field=recognise(chosen, remembered)))
    return columns


def find_header(
    rows: Sequence[tuple[int, Sequence[Cell]]],
    remembered: Mapping[str, str] | None = None,
    merges: Iterable[Merge] = (),
) -> Header:
    """The header among the first rows: the one whose columns name the most known fields
    (a title row above it, or a first level of merged cells, names fewer)."""
    remembered = remembered or {}
    first = list(rows[:HEADER_SEARCH_ROWS])
    if not first:
        return Header(line=0, columns=())
    grid = {line: list(cells) for line, cells in first}
    _fill_merges(grid, merges)
    best: Header | None = None
    best_score = 0
    for line, _cells in first:
        columns = _columns(grid[line], grid.get(line - 1), remembered)
        score = len({column.field for column in columns if column.field})
        if score > best_score:
            best, best_score = Header(line=line, columns=tuple(columns)), score
    if best is not None:
        return Header(line=best.line, columns=_names_resolved(best.columns, remembered))
    line = next(
        (line for line, cells in first if sum(1 for c in cells if c is not None) > 1), first[0][0]
    )
    found = tuple(_columns(grid[line], None, remembered))
    return Header(line=line, columns=_names_resolved(found, remembered))


def _names_resolved(
    columns: tuple[Column, ...], remembered: Mapping[str, str]
) -> tuple[Column, ...]:
    """ "Nom du salarié" beside no "Prénom" column holds the whole name; "Salarié" beside
    a "Prénom" column may hold the surname or the whole name: the person says which."""
    fields = {column.field for column in columns}
    if "first_name" in fields:
        return tuple(
            Column(column.index, column.label, None)
            if column.field == "full_name"
            and column.key in PERSON_WORDS
            and column.key not in remembered
            else column
            for column in columns
        )
    if "full_name" in fields:
        return columns
    return tuple(
        Column(column.index, column.label, "full_name")
        if column.field == "last_name"
        and column.key in SURNAME_OR_FULL_NAME
        and column.key not in remembered
        else column
        for column in columns
    )


def with_fields(header: Header, chosen: Mapping[int, str]) -> Header:
    """The header with the fields a person chose for some columns (by column index)."""
    return Header(
        line=header.line,
        columns=tuple(
            Column(column.index, column.label, chosen[column.index])
            if column.index in chosen
            else column
            for column in header.columns
        ),
    )


# Rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: int | None  # 0-based index of the faulty cell, None for the whole row
    label: str  # the column's header, "" for the whole row
    message: str


@dataclass(frozen=True, slots=True)
class HoursRow:
    """What one row says: someone, a month, hours. Not yet checked against anything.

    A cell that could not be read is None here (its error is reported beside the row), so
    that the rules of the other cells are still checked: every error of a row is told at
    once. ``identified`` is False when the row does not say who it is about.
    """

    line: int
    placement_id: int | None
    last_name: str
    first_name: str
    full_name: str
    birth_date: datetime.date | None
    contract: str
    month: datetime.date | None
    hours_worked: Decimal | None
    training_hours: Decimal | None
    identified: bool = True

    @property
    def who(self) -> str:
        """The person as the row names them, for messages."""
        return self.full_name or f"{self.first_name} {self.last_name}".strip()


def read_row(
    line: int, cells: Sequence[Cell], fields: Mapping[str, Column]
) -> tuple[HoursRow | None, list[RowError]]:
    """One row of the file read through the columns' fields.

    A row without month nor hours (a line of the template left blank) is no row: it
    gives ``(None, [])``. Otherwise it gives the row, its unreadable cells as None, and
    one error per cell that cannot be read or is missing.
    """

    def value(field: str) -> Cell:
        column = fields.get(field)
        if column is None or column.index >= len(cells):
            return None
        return cells[column.index]

    errors: list[RowError] = []

    def read(field: str, parser: Any) -> Any:
        try:
            return parser(value(field))
        except CellError as error:
            column = fields[field]
            errors.append(RowError(line, column.index, column.label, str(error)))
            return None

    if all(_blank(value(name)) for name in ("month", "hours_worked", "training_hours")):
        return None, []
    placement_id = read("placement", parse_identifier)
    birth_date = read("birth_date", parse_date)
    month = read("month", parse_month)
    hours_worked = read("hours_worked", parse_number)
    training_hours = read("training_hours", parse_number)
    if training_hours is None and _blank(value("training_hours")):
        training_hours = Decimal("0.00")
    last_name, first_name = cell_text(value("last_name")), cell_text(value("first_name"))
    full_name = cell_text(value("full_name"))
    if _blank(value("month")) and "month" in fields:
        column = fields["month"]
        errors.append(RowError(line, column.index, column.label, "Le mois manque."))
    if _blank(value("hours_worked")) and "hours_worked" in fields:
        column = fields["hours_worked"]
        errors.append(
            RowError(line, column.index, column.label, "Le nombre d'heures travaillées manque.")
        )
    identified = True
    if placement_id is None and not _blank(value("placement")):
        identified = False  # already reported as unreadable
    elif placement_id is None and not (last_name and first_name) and not full_name:
        identified = False
        who = fields.get("placement") or fields.get("full_name") or fields.get("last_name")
        errors.append(
            RowError(
                line,
                who.index if who else None,
                who.label if who else "",
                "Indiquez le n° de mise en emploi, ou le nom et le prénom de la personne.",
            )
        )
    return (
        HoursRow(
            line=line,
            placement_id=placement_id,
            last_name=last_name,
            first_name=first_name,
            full_name=full_name,
            birth_date=birth_date,
            contract=cell_text(value("contract")),
            month=month,
            hours_worked=hours_worked,
            training_hours=training_hours,
            identified=identified,
        ),
        errors,
    )


# Writing --------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", start_color="1F4E79", end_color="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_FILL = PatternFill("solid", start_color="F8D7DA", end_color="F8D7DA")
ERROR_FONT = Font(bold=True, color="842029")
INPUT_FILL = PatternFill("solid", start_color="FFF8E1", end_color="FFF8E1")

TEMPLATE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (header, field, width)
    ("N° de mise en emploi", "placement", 12),
    ("Nom", "last_name", 20),
    ("Prénom", "first_name", 16),
    ("Date de naissance", "birth_date", 14),
    ("Employeur", "employer", 28),
    ("Poste", "job", 30),
    ("Mois", "month", 11),
    ("Heures travaillées", "hours_worked", 12),
    ("Heures de formation", "training_hours", 12),
)


@dataclass(frozen=True)
class TemplateRow:
    placement_id: int
    last_name: str
    first_name: str
    birth_date: datetime.date
    employer: str
    job: str


def write_template(
    rows: Iterable[TemplateRow],
    *,
    contract: str,
    period: tuple[datetime.date, datetime.date],
    facilitator: str,
) -> bytes:
    """The spreadsheet a company fills in: one row per placement of the contract, the
    month and hours left to fill, and an "Aide" sheet that explains each column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Heures"
    sheet.append([header for header, _field, _width in TEMPLATE_COLUMNS])
    for index, (_header, _field, width) in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[1].height = 32
    count = 0
    for row in rows:
        count += 1
        sheet.append(
            [
                row.placement_id,
                row.last_name,
                row.first_name,
                row.birth_date,
                row.employer,
                row.job,
                None,
                None,
                None,
            ]
        )
        line = sheet.max_row
        sheet.cell(row=line, column=4).number_format = "DD/MM/YYYY"
        sheet.cell(row=line, column=7).number_format = "MM/YYYY"
        for column in (7, 8, 9):
            sheet.cell(row=line, column=column).fill = INPUT_FILL
        for column in (8, 9):
            sheet.cell(row=line, column=column).number_format = "0.00"
    last = max(count + 1, 2)
    hours_rule = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="250",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Heures",
        error="Saisissez un nombre d'heures entre 0 et 250, par exemple 151,67.",
    )
    hours_rule.add(f"H2:I{last + 200}")
    sheet.add_data_validation(hours_rule)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:I{last}"

    help_sheet = book.create_sheet("Aide")
    start, end = period
    lines: list[tuple[str, str]] = [
        ("Marché", contract),
        ("Période d'exécution", f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"),
        ("Structure de facilitation", facilitator),
        ("", ""),
        ("Colonne", "Ce qu'elle contient"),
        (
            "N° de mise en emploi",
            "Le numéro de la mise en emploi dans Tremplin. Ne le modifiez pas : c'est lui "
            "qui relie la ligne à la personne. S'il manque, Tremplin cherche la personne par "
            "son nom, son prénom et sa date de naissance.",
        ),
        ("Nom, Prénom, Date de naissance", "La personne mise en emploi (pré-remplis)."),
        ("Employeur, Poste", "Pour information : ces colonnes ne sont pas importées."),
        (
            "Mois",
            "Le mois travaillé : 03/2026, 01/03/2026 ou « mars 2026 ». Une ligne par personne "
            "et par mois : pour plusieurs mois, copiez la ligne de la personne.",
        ),
        (
            "Heures travaillées",
            "Les heures de travail du mois sur le marché, avec une virgule si besoin "
            "(151,67). Une personne ne peut pas dépasser 48 heures par semaine.",
        ),
        (
            "Heures de formation",
            "Les heures de formation du mois ; laissez vide s'il n'y en a pas.",
        ),
        ("", ""),
        ("Bon à savoir", ""),
        ("", "Les lignes sans mois ni heures sont ignorées : laissez-les telles quelles."),
        (
            "",
            "Vous pouvez renvoyer ce fichier en .xlsx, .ods ou .csv (séparateur point-virgule).",
        ),
        (
            "",
            "Si une ligne est erronée, rien n'est importé : Tremplin rend le fichier annoté "
            "d'une colonne « Erreurs » pour le corriger.",
        ),
        ("", "Renvoyer le même fichier ne change rien : les mois déjà connus restent tels quels."),
    ]
    for label, text in lines:
        help_sheet.append([label, text])
    for line_number in (1, 2, 3, 5, 13):
        help_sheet.cell(row=line_number, column=1).font = Font(bold=True)
    help_sheet.cell(row=5, column=2).font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 32
    help_sheet.column_dimensions["B"].width = 100
    for row_cells in help_sheet.iter_rows(min_row=1, max_row=help_sheet.max_row):
        row_cells[1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_annotated_copy(
    table: Table,
    errors: Sequence[RowError],
    header_line: int,
) -> bytes:
    """The file as it was sent, plus an "Erreurs" column and its faulty cells in red:
    the sender corrects it where they know it and sends it again."""
    by_line: dict[int, list[RowError]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error)
    width = _width(table)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(table.sheet_name or "Heures")[:31])
    sheet.column_dimensions[get_column_letter(width + 1)].width = 60
    written = 0
    orphan_lines = set(by_line)
    for line, cells in table.rows():
        while written < line - 1:
            sheet.append([])
            written += 1
        row_errors = by_line.get(line, [])
        orphan_lines.discard(line)
        faulty = {error.column for error in row_errors if error.column is not None}
        out: list[Any] = []
        for index in range(width):
            value = cells[index] if index < len(cells) else None
            cell = WriteOnlyCell(sheet, value=_writable(value))
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text that looks like a formula stays text
            if isinstance(value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            if index in faulty:
                cell.fill = ERROR_FILL
            out.append(cell)
        if line == header_line:
            marker = WriteOnlyCell(sheet, value="Erreurs")
            marker.font = Font(bold=True)
            out.append(marker)
        elif row_errors:
            text = WriteOnlyCell(sheet, value=_error_text(row_errors))
            text.fill, text.font = ERROR_FILL, ERROR_FONT
            text.alignment = Alignment(wrap_text=True)
            out.append(text)
        sheet.append(out)
        written = line
    if orphan_lines:  # errors on lines the copy does not hold (should not happen)
        for line in sorted(orphan_lines):
            sheet.append([*([None] * width), f"Ligne {line} : {_error_text(by_line[line])}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _width(table: Table) -> int:
    width = 0
    for _line, cells in table.rows():
        width = max(width, len(cells))
    return width


def _writable(value: Cell) -> Any:
    if isinstance(value, datetime.timedelta):
        return cell_text(value)
    return value


def _error_text(errors: Sequence[RowError]) -> str:
    return " ; ".join(
        f"{error.label} : {error.message}" if error.label else error.message for error in errors
    )
