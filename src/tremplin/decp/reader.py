"""Stream the raw records of a DECP JSON file, whatever its layout, in flat memory. Pure.

Layouts met in published files:

- v1 (2019): ``{"marches": [ {...}, ... ]}``, a record's kind given by ``"_type"``;
- v2 (2024 schema): ``{"marches": {"marche": [...], "contrat-concession": [...]}}``, where a
  list of one element sometimes comes as the element itself (files converted from XML);
- a bare list ``[ {...}, ... ]``.

The file is never loaded whole: ijson builds one record at a time. The first bytes are
peeked, to refuse what is not JSON with a message the user understands and to choose the
fastest way to read the layout found: a single list is built by ijson in C; the lists of
a v2 file too, one reading per list, when a scan of its bytes finds each once (the file
must be seekable); anything else by the general path, from ijson's events in Python
(about twice as slow).

Every byte handed to ijson goes through a guard first (``_Guard``), whatever the path:
a hostile file cannot make ijson's C code build a structure nested 100,000 times (it
eats all memory), meet a number too long for Python's integers (it crashes the
process), or hold one string of hundreds of megabytes. ``Limits`` bounds them; the
file is refused with a ``DecpFileError`` before any record past the limit is built.
"""

from __future__ import annotations

import codecs
import io
import operator
import re
from collections.abc import Iterator
from itertools import accumulate, count
from typing import Any, BinaryIO, NamedTuple

import ijson  # type: ignore[import-untyped]

from tremplin.decp.records import FormatVersion, RecordKind

CHUNK_SIZE = 64 * 1024

try:
    _parser = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - the C backend ships in ijson's wheels
    _parser = ijson

# Keys of the v2 « marches » object that hold records, and the kind of those records.
V2_LISTS = {
    "marche": RecordKind.CONTRACT,
    "marches": RecordKind.CONTRACT,
    "contrat-concession": RecordKind.CONCESSION,
    "contrats-concession": RecordKind.CONCESSION,
    "concession": RecordKind.CONCESSION,
}


class Limits(NamedTuple):
    """What one file may cost the reader. The defaults are far above real DECP files (their
    records nest about 6 levels deep, their numbers hold under 20 digits, their longest
    texts a few thousand characters)."""

    max_depth: int = 64  # nested lists and objects, the file's own levels included
    max_number_digits: int = 100  # digits in a row in one number
    max_string_bytes: int = 1024 * 1024  # one text (key or value), checked by chunks
    # False only to read again bytes that a guarded reading of the same file has just
    # checked (the import's second pass, after its counting pass): the guard costs a
    # few microseconds per record and reading.
    check: bool = True


DEFAULT_LIMITS = Limits()


class DecpFileError(Exception):
    """The file as a whole cannot be read. The message is in French, for the user."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # 1-based rank of the record where reading stopped, when the file broke midway.
        self.position = position


class RawRecord(NamedTuple):
    position: int  # 1-based rank of the record in the file
    version: FormatVersion | None  # what the layout says; the normaliser has the last word
    kind: RecordKind
    data: Any  # a dict when the file is sane; anything JSON can hold otherwise


def kind_of(data: Any, default: RecordKind = RecordKind.CONTRACT) -> RecordKind:
    """The kind a v1 record declares with « _type », else ``default``."""
    if isinstance(data, dict):
        declared = data.get("_type")
        if isinstance(declared, str) and declared.strip():
            if "concession" in declared.lower():
                return RecordKind.CONCESSION
            return RecordKind.CONTRACT
    return default


def read_records(stream: BinaryIO, limits: Limits = DEFAULT_LIMITS) -> Iterator[RawRecord]:
    """Every record of the file with its position, in the order of the file.

    Raises ``DecpFileError`` before any record for a file that is not DECP JSON, and after
    the records read so far for a file cut, broken or past ``limits`` further on. Never
    raises anything else for any bytes (reading errors of the stream aside).
    """
    start = stream.tell() if stream.seekable() else 0
    head = _read_head(stream, limits)
    utf8 = _Utf8Stream(head, stream, limits)
    layout = _head_layout(head)
    lists = _v2_lists(stream, start) if layout == _V2_OBJECT else None
    reader: _SingleList | _ListByList | _AnyLayout
    if lists:
        reader = _ListByList(stream, start, lists, limits)
    elif layout and layout != _V2_OBJECT:
        reader = _SingleList(utf8, *layout)
    else:
        reader = _AnyLayout(utf8)
    read = 0
    try:
        for record in reader:
            read = record.position
            yield record
    except DecpFileError:
        raise
    except (ijson.JSONError, ValueError, SystemError, RecursionError) as error:
        # ijson's C code reports what it cannot build as ValueError or SystemError.
        if isinstance(reader, _ListByList):
            # Its ranks follow the lists, not the file: count again where it broke.
            read = _records_before_error(stream, start, limits)
        raise _broken_file(str(error), read) from error
    if not reader.found_records_list:
        raise DecpFileError(
            "Aucun marché trouvé : le fichier doit contenir une liste « marches » "
            "(format DECP 2019) ou un objet « marches » avec « marche » ou "
            "« contrat-concession » (format DECP 2024)."
        )


def _read_head(stream: BinaryIO, limits: Limits) -> bytes:
    """The first bytes, checked: what is plainly not a JSON file is refused here, and
    what would harm ijson before the guarded stream passes them on."""
    head = stream.read(CHUNK_SIZE)
    if head.startswith((b"\x1f\x8b", b"PK\x03\x04")):
        raise DecpFileError(
            "Fichier compressé : décompressez-le et importez le fichier JSON qu'il contient."
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4]:
        raise DecpFileError("Encodage UTF-16 non pris en charge : enregistrez le fichier en UTF-8.")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    start = head.lstrip()[:1]
    if not start:
        raise DecpFileError("Le fichier est vide.")
    if start == b"<":
        raise DecpFileError("Format XML non pris en charge : convertissez le fichier en JSON.")
    if start not in (b"{", b"["):
        raise DecpFileError(
            "Ce fichier n'est pas au format JSON : un fichier DECP commence par « { » ou « [ »."
        )
    if limits.check:
        _Guard(limits).check(head)
    return head


# The v2 object of lists: no single prefix holds its records.
_V2_OBJECT = ("marches", FormatVersion.V2)


def _head_layout(head: bytes) -> tuple[str, FormatVersion | None] | None:
    """What the first bytes show: one list of records (v1, bare list: its ijson prefix and
    version, read entirely in C), the v2 object of lists (``_V2_OBJECT``), or ``None``
    when they are too short to tell."""
    try:
        for prefix, event, _value in _parser.parse(io.BytesIO(head)):
            if prefix == "" and event == "start_array":
                return "item", None
            if prefix == "marches" and event == "start_array":
                return "marches.item", FormatVersion.V1
            if prefix == "marches" and event == "start_map":
                return _V2_OBJECT
    except ijson.JSONError:
        pass
    return None


class _SingleList:
    """Records of one list, built by ijson in C: the fast path."""

    def __init__(self, stream: _Utf8Stream, prefix: str, version: FormatVersion | None) -> None:
        self.stream = stream
        self.prefix = prefix
        self.version = version
        self.found_records_list = True

    def __iter__(self) -> Iterator[RawRecord]:
        version = self.version
        for position, data in enumerate(_parser.items(self.stream, self.prefix), start=1):
            yield RawRecord(position, version, kind_of(data), data)


# A key of the v2 lists of records, and what opens its value. Within a JSON string a
# quote is escaped: an unescaped ``"marche":`` can only be a key.
_V2_LIST_KEY = re.compile(
    rb'"(' + b"|".join(re.escape(key.encode()) for key in V2_LISTS) + rb')"\s*:\s*(\S)'
)


def _v2_lists(stream: BinaryIO, start: int) -> list[str] | None:
    """The v2 lists of records in the order of the file, when each is one list met once,
    so that ijson may build their records in C, one list after the other. Anything less
    plain (a record in place of a list, a key met twice, a stream that cannot be read
    again) returns ``None``: the general path reads it. Scans the file's bytes once, and
    leaves the stream where it was."""
    if not stream.seekable():
        return None
    here = stream.tell()
    found: dict[str, int] = {}
    container_seen = False
    stream.seek(start)
    offset, tail = 0, b""  # where the chunk starts; the end of the bytes before it
    try:
        while chunk := stream.read(4 * CHUNK_SIZE):
            text = tail + chunk
            for match in _V2_LIST_KEY.finditer(text):
                if match.end() <= len(tail):
                    continue  # found with the bytes before
                key, opening = match.group(1).decode(), match.group(2)
                if key == "marches" and opening == b"{" and not container_seen:
                    container_seen = True  # the object that holds the lists
                elif opening != b"[" or key in found or key == "marches":
                    return None
                else:
                    found[key] = offset - len(tail) + match.start()
            offset += len(chunk)
            tail = text[-64:]
    finally:
        stream.seek(here)
    return sorted(found, key=found.__getitem__) if found else None


class _ListByList:
    """The records of each v2 list, built by ijson in C, one reading of the file per list
    (``_v2_lists`` gave them in the order of the file, so ranks follow the file)."""

    found_records_list = True

    def __init__(self, stream: BinaryIO, start: int, lists: list[str], limits: Limits) -> None:
        self.stream = stream
        self.start = start
        self.lists = lists
        self.limits = limits

    def __iter__(self) -> Iterator[RawRecord]:
        position = 0
        for key in self.lists:
            kind = V2_LISTS[key]
            self.stream.seek(self.start)
            utf8 = _Utf8Stream(_read_head(self.stream, self.limits), self.stream, self.limits)
            for data in _parser.items(utf8, f"marches.{key}.item"):
                position += 1
                yield RawRecord(position, FormatVersion.V2, kind_of(data, kind), data)


def _records_before_error(stream: BinaryIO, start: int, limits: Limits) -> int:
    """How many records the general path reads before the file breaks."""
    stream.seek(start)
    read = 0
    try:
        for record in _AnyLayout(_Utf8Stream(_read_head(stream, limits), stream, limits)):
            read = record.position
    except (ijson.JSONError, ValueError, SystemError, RecursionError):
        pass
    return read


class _AnyLayout:
    """Records built out of ijson's basic events: slower than ``items``, takes any layout.

    The builder is written here rather than ijson's ``ObjectBuilder`` behind ``parse``:
    without the prefix of every event, it reads v2 files about 1.6 times as fast.
    """

    def __init__(self, stream: _Utf8Stream) -> None:
        self.stream = stream
        self.found_records_list = False

    def __iter__(self) -> Iterator[RawRecord]:
        position = 0
        kind = RecordKind.CONTRACT
        version: FormatVersion | None = None
        # Containers above the records: [is a map, its current key].
        outer: list[list[Any]] = []
        # The record being built: its open containers, innermost last, and their keys.
        stack: list[Any] = []
        keys: list[Any] = []
        record: Any = None
        for event, value in _parser.basic_parse(self.stream):
            if stack:
                top = stack[-1]
                if event == "map_key":
                    keys[-1] = value
                elif event == "start_map" or event == "start_array":
                    child: Any = {} if event == "start_map" else []
                    if type(top) is dict:
                        top[keys[-1]] = child
                    else:
                        top.append(child)
                    stack.append(child)
                    keys.append(None)
                elif event == "end_map" or event == "end_array":
                    stack.pop()
                    keys.pop()
                    if not stack:
                        position += 1
                        yield RawRecord(position, version, kind_of(record, kind), record)
                elif type(top) is dict:
                    top[keys[-1]] = value
                else:
                    top.append(value)
                continue
            if event == "map_key":
                outer[-1][1] = value
                continue
            if event == "end_map" or event == "end_array":
                outer.pop()
                continue
            prefix = ".".join(key if is_map else "item" for is_map, key in outer)
            place = _record_place(prefix, event)
            if place is None or place is _LIST:
                self.found_records_list = self.found_records_list or place is _LIST
                if event == "start_map" or event == "start_array":
                    outer.append([event == "start_map", None])
                continue
            self.found_records_list = True
            kind, version = place  # type: ignore[misc]
            if event == "start_map" or event == "start_array":
                record = {} if event == "start_map" else []
                stack.append(record)
                keys.append(None)
            else:
                # A value where a record was expected: the normaliser rejects it.
                position += 1
                yield RawRecord(position, version, kind, value)


_LIST = object()  # marks the start of a list of records


def _record_place(
    prefix: str, event: str
) -> tuple[RecordKind, FormatVersion | None] | object | None:
    """What stands at ``prefix``: a list of records, a record (kind, version), or neither."""
    if prefix == "":
        return _LIST if event == "start_array" else None
    if prefix == "marches":
        return _LIST if event in ("start_array", "start_map") else None
    if prefix == "item":
        return RecordKind.CONTRACT, None
    if prefix == "marches.item":
        return RecordKind.CONTRACT, FormatVersion.V1
    if not prefix.startswith("marches.") or prefix.count(".") > 2:
        return None
    key = prefix[len("marches.") :]
    if key.endswith(".item"):
        kind = V2_LISTS.get(key[: -len(".item")])
        return None if kind is None else (kind, FormatVersion.V2)
    kind = V2_LISTS.get(key)
    if kind is None:
        return None
    if event == "start_array":
        return _LIST
    if event == "start_map":  # a single record in place of a list of one
        return kind, FormatVersion.V2
    return None


def _broken_file(detail: str, records_read: int) -> DecpFileError:
    if "premature EOF" in detail:
        what = "le fichier est tronqué (fin de fichier inattendue)"
    else:
        what = "la syntaxe JSON est invalide"
    if records_read == 0:
        read = "aucun enregistrement n'a été lu"
    elif records_read == 1:
        read = "1 enregistrement a été lu avant l'erreur"
    else:
        read = f"{_french_number(records_read)} enregistrements ont été lus avant l'erreur"
    position = records_read + 1
    return DecpFileError(
        f"Lecture interrompue à l'enregistrement n° {_french_number(position)} : {what} ; {read}.",
        position=position,
    )


def _french_number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as Windows-1252, which old exports used."""
    if not isinstance(error, UnicodeDecodeError):  # pragma: no cover - decoding only
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("tremplin-decp-cp1252", _as_windows_1252)


class _Utf8Stream:
    """The file from its head on, as UTF-8 bytes (Windows-1252 bytes transcoded), every
    byte checked by the guard before ijson sees it."""

    def __init__(self, head: bytes, rest: BinaryIO, limits: Limits) -> None:
        self._pending: bytes | None = head or None
        self._rest = rest
        self._decoder = codecs.getincrementaldecoder("utf-8")("tremplin-decp-cp1252")
        self._guard = _Guard(limits) if limits.check else None

    def _checked(self, chunk: bytes) -> bytes:
        return self._guard.check(chunk) if self._guard is not None else chunk

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing to learn whether the file gives bytes
            return b""
        while True:
            if self._pending is not None:
                chunk, self._pending = self._pending, None
            else:
                chunk = self._rest.read(size if size and size > 0 else CHUNK_SIZE)
            if not chunk:
                return self._checked(self._decoder.decode(b"", final=True).encode("utf-8"))
            if chunk.isascii() and not self._decoder.getstate()[0]:
                return self._checked(chunk)
            text = self._decoder.decode(chunk)
            if text:  # an empty text is a sequence cut by the chunk's end: read on
                return self._checked(text.encode("utf-8"))


# A JSON string whole, or (group 1) one the chunk's end cuts, with (group 2) an escape
# the end cuts too. Possessive, so that each byte is looked at once.
_STRINGS = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|(")[^"\\]*+(?:\\.[^"\\]*+)*+(\\?)\Z')
# Once escapes are gone, a string is a quote, anything but a quote, and a quote.
_PLAIN_STRINGS = re.compile(rb'"[^"]*+"')
# What the guard looks at: quotes, brackets and digits (as 0); the rest of a chunk is
# dropped by one ``translate``, which leaves about a tenth of the bytes.
_SHAPE = bytes.maketrans(b"123456789[{]}", b"000000000(())")
_NOT_SHAPE = bytes(byte for byte in range(256) if byte not in b'"[]{}0123456789')


class _Guard:
    """Follows the bytes of a JSON file chunk after chunk, at the speed of ``bytes``
    methods: outside strings, how deep lists and objects nest and how long a number runs;
    inside, how long a string runs. Raises ``DecpFileError`` past a limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.long_number = b"0" * (limits.max_number_digits + 1)
        self.depth = 0
        self.open_string = b""  # ``"`` when the last chunk ended inside a string
        self.backslash = b""  # an escape the last chunk's end cut in two
        self.digits = 0  # digits at the end of the last chunk (in a string or not)
        self.in_string_bytes = 0  # bytes of the string still open, whole chunks after chunks

    def check(self, chunk: bytes) -> bytes:
        raw = self.backslash + chunk
        # Escapes first: an escaped backslash, then an escaped quote, are no delimiters.
        plain = raw.replace(b"\\\\", b"")
        self.backslash = b"\\" if plain.endswith(b"\\") else b""
        plain = plain.replace(b'\\"', b"")
        shape = plain.translate(_SHAPE, _NOT_SHAPE)
        if self.long_number in b"0" * self.digits + shape:
            self._numbers(raw)  # digits in a row: in a number, or only in a text?
        trailing = len(shape) - len(shape.rstrip(b"0"))
        self.digits = self.digits + trailing if trailing == len(shape) else trailing
        was_open = bool(self.open_string)
        # A quote after the text closes the string it ends in, or opens one that nothing
        # closes and that stays: that tells which.
        rest, strings = _PLAIN_STRINGS.subn(
            b"", self.open_string + shape.translate(None, b"0") + b'"'
        )
        if rest.endswith(b'"'):
            self.open_string = b""
            outside = rest[:-1]
        else:
            self.open_string = b'"'
            outside = rest
        if was_open and self.open_string and strings == 1:
            self.in_string_bytes += len(chunk)  # the whole chunk is inside one string
            if self.in_string_bytes > self.limits.max_string_bytes:
                raise self._refused(
                    f"un texte dépasse {_french_number(self.limits.max_string_bytes // 1024)} Kio"
                )
        else:
            self.in_string_bytes = 0
        self._nest(outside)
        return chunk

    def _numbers(self, raw: bytes) -> None:
        """The exact check, rare: digits in a row outside strings only."""
        outside = _STRINGS.sub(rb"\1\2", self.open_string + raw).translate(_SHAPE)
        if self.long_number in b"0" * self.digits + outside:
            raise self._refused(
                f"un nombre compte plus de {self.limits.max_number_digits} chiffres"
            )

    def _nest(self, brackets: bytes) -> None:
        """The deepest level reached within the chunk, exactly: ``brackets`` holds ``(``
        and ``)``; each run of openers is followed by one closer."""
        runs = brackets.split(b")")
        peak = max(map(operator.sub, accumulate(map(len, runs)), count()))
        if self.depth + peak > self.limits.max_depth:
            raise self._too_deep()
        self.depth = max(self.depth + len(brackets) - 2 * (len(runs) - 1), 0)

    def _too_deep(self) -> DecpFileError:
        return self._refused(
            f"des listes ou objets y sont imbriqués sur plus de {self.limits.max_depth} niveaux"
        )

    def _refused(self, what: str) -> DecpFileError:
        return DecpFileError(
            f"Fichier refusé : {what}, ce qu'aucun fichier DECP ne contient. Vérifiez qu'il "
            "s'agit bien d'un export DECP au format JSON, ou demandez à qui l'a produit de "
            "le générer à nouveau."
        )
