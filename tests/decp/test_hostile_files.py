"""Hostile DECP files (huge numbers, deep nesting, endless texts, binary junk): the reader
refuses them with its own French message, in bounded memory, and the import ends failed
with nothing written, whatever the layout and the path of the reader."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.decp import decp_import
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpRecord
from tremplin.decp.reader import DecpFileError, read_records

RECORD = {"id": "2025-001", "objet": "Travaux", "montant": 1200}


def v1(*records: bytes) -> bytes:
    return b'{"marches": [' + b",".join(records) + b"]}"


def v2(*records: bytes) -> bytes:
    return b'{"marches": {"marche": [' + b",".join(records) + b"]}}"


def v2_single(first: bytes, *others: bytes) -> bytes:
    # A record in place of a list of one: the general path reads the file.
    return (
        b'{"marches": {"marche": '
        + first
        + b', "contrat-concession": ['
        + b",".join(others)
        + b"]}}"
    )


LAYOUTS = [v1, v2, v2_single]
PLAIN = json.dumps(RECORD).encode()
# Far past the head the reader peeks at first, so that the damage comes mid-stream.
PADDING = b" " * 300_000


def huge_integer(digits: int = 5000) -> bytes:
    return b'{"id": "X", "montant": 1' + b"0" * digits + b"}"


def nested(depth: int = 100_000) -> bytes:
    return b'{"id": "X", "titulaires": ' + b"[" * depth + b"]" * depth + b"}"


def endless_text(size: int = 3 * 1024 * 1024) -> bytes:
    return b'{"id": "X", "objet": "' + b'a\\"' * (size // 3) + b'"}'


def read_all(data: bytes) -> list:  # type: ignore[type-arg]
    return list(read_records(io.BytesIO(data)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("hostile", "said"),
    [
        (huge_integer, "un nombre compte plus de 100 chiffres"),
        (nested, "imbriqués sur plus de 64 niveaux"),
        (endless_text, "un texte dépasse 1\u202f024 Kio"),
    ],
)
@pytest.mark.parametrize("where", ["first", "after others"])
def test_hostile_records_are_refused_with_a_french_message(layout, hostile, said, where):
    records = [hostile()] if where == "first" else [PLAIN, PLAIN + PADDING, hostile()]
    with pytest.raises(DecpFileError) as refused:
        read_all(layout(*records))
    assert said in refused.value.message
    assert refused.value.message.startswith("Fichier refusé")


def test_hostile_content_inside_texts_is_only_text():
    # Brackets, digits and escaped quotes inside a string nest nothing and count nothing.
    tricky = {
        "id": "[[[[" * 5000 + '\\"' + "9" * 5000,
        "objet": "]]]}}}" * 1000,
        "montant": 12,
    }
    data = v1(json.dumps(tricky).encode(), PLAIN)
    assert [record.data["montant"] for record in read_all(data)] == [12, 1200]


def test_a_real_record_nested_up_to_the_limit_is_read():
    # 2 levels for « {"marches": [ », the record's own object, then 61 lists: 64 in all.
    deep = b'{"id": "X", "lots": ' + b"[" * 61 + b"]" * 61 + b"}"
    assert len(read_all(v1(deep))) == 1
    with pytest.raises(DecpFileError):
        read_all(v1(b'{"id": "X", "lots": ' + b"[" * 62 + b"]" * 62 + b"}"))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_records_or_the_readers_own_error(data):
    assert read_or_refuse(data)


def read_or_refuse(data: bytes) -> str:
    """What the reader says of ``data``: its records read, or its French refusal; anything
    else it raises fails the test."""
    try:
        return f"{len(read_all(data))} enregistrements"
    except DecpFileError as error:
        return error.message


JSONISH = st.text(alphabet='[]{}",:0123456789.-+eE \\tnrufalse"marche', max_size=2000)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.sampled_from(
        [b'{"marches": [', b'{"marches": {"marche": [', b"[", b'{"marches": {"marche": ']
    ),
    JSONISH,
    st.integers(min_value=0, max_value=6000),
    st.integers(min_value=0, max_value=3000),
)
def test_any_json_like_text_gives_records_or_the_readers_own_error(start, text, digits, depth):
    data = start + text.encode() + b"1" * digits + b"[" * depth + text.encode()
    tracemalloc.start()
    try:
        assert read_or_refuse(data)
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # A few kilobytes of input never cost more than a few megabytes.
    assert peak < 8 * 1024 * 1024


@pytest.fixture
def hostile_file(tmp_path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "decp-piege.json"
    path.write_bytes(v1(*[PLAIN] * 3, huge_integer()))
    return path


def test_an_import_of_a_hostile_file_fails_and_writes_nothing(network, hostile_file):
    item = decp_import.decp_import_from_path(network=network, path=hostile_file)
    item = decp_import.decp_import_run(decp_import=item)
    assert item.status == DecpImportStatus.FAILED
    assert "un nombre compte plus de 100 chiffres" in item.error_message
    assert item.error_message.endswith("Rien n'a été importé.")
    assert not DecpRecord.objects.exists()


def depth_of(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


TRICKY_TEXT = st.text(alphabet='ab"\\[]{}/é€0123456789\n', max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(TRICKY_TEXT, children, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.booleans(), st.integers(min_value=1, max_value=40))
def test_the_guard_measures_nesting_exactly_across_chunks(value, ascii_only, chunk_size):
    # Brackets and quotes inside texts, escapes cut by a chunk's end: the guard refuses
    # exactly the files nested deeper than its limit, read in chunks of any size.
    from tremplin.decp.reader import Limits, _Guard

    data = json.dumps([value], ensure_ascii=ascii_only).encode()
    guard = _Guard(Limits(max_depth=4, max_number_digits=10_000))
    refused = False
    try:
        for start in range(0, len(data), chunk_size):
            guard.check(data[start : start + chunk_size])
    except DecpFileError:
        refused = True
    assert refused == (depth_of([value]) > 4)
    if not refused:
        assert guard.depth == 0
        assert guard.open_string == b""
