"""The DECP reader: every layout found in published files, refusals, streaming."""

from __future__ import annotations

import io
import json
import re
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from tremplin.decp.reader import CHUNK_SIZE, DecpFileError, RawRecord, read_records
from tremplin.decp.records import FormatVersion, RecordKind

DATA = Path(__file__).resolve().parent.parent / "data" / "decp"

V1 = FormatVersion.V1
V2 = FormatVersion.V2
CONTRACT = RecordKind.CONTRACT
CONCESSION = RecordKind.CONCESSION


def read(data: bytes) -> list[RawRecord]:
    return list(read_records(io.BytesIO(data)))


def read_file(name: str) -> list[RawRecord]:
    with (DATA / name).open("rb") as stream:
        return list(read_records(stream))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("v1-real-e-marchespublics-2019-04.json", {(V1, CONTRACT): 470}),
        ("v1-real-pes-2019-04.json", {(V1, CONTRACT): 1148}),
        ("v2-concessions.json", {(V2, CONCESSION): 2}),
        ("v2-marches_avec_modifications.json", {(V2, CONTRACT): 2}),
        ("v2-marches_concessions.json", {(V2, CONCESSION): 2, (V2, CONTRACT): 2}),
    ],
)
def test_every_record_of_the_data_files_is_read(name: str, expected: dict) -> None:
    records = read_file(name)

    assert Counter((record.version, record.kind) for record in records) == expected
    assert [record.position for record in records] == list(range(1, len(records) + 1))
    assert all(isinstance(record.data, dict) and record.data["id"] for record in records)


def test_records_come_in_the_order_of_the_file() -> None:
    # This example lists its concessions before its contracts.
    records = read_file("v2-marches_concessions.json")

    assert [(record.position, record.kind, record.data["id"]) for record in records] == [
        (1, CONCESSION, "0612202306122024"),
        (2, CONCESSION, "0612202306122023"),
        (3, CONTRACT, "TEST2022"),
        (4, CONTRACT, "TEST2022Bis"),
    ]


def test_the_xml_example_is_refused_with_a_french_message() -> None:
    with pytest.raises(DecpFileError) as error:
        read_file("v2-Marche.xml")

    assert str(error.value) == "Format XML non pris en charge : convertissez le fichier en JSON."


def test_the_schema_is_not_a_file_of_contracts() -> None:
    with pytest.raises(DecpFileError, match="Aucun marché trouvé : le fichier doit contenir"):
        read_file("v2-schema_decp_v2.0.3.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"  \n ", "Le fichier est vide."),
        (b"id;objet\n1;Travaux", "Ce fichier n'est pas au format JSON"),
        ('{"marches": []}'.encode("utf-16"), "Encodage UTF-16 non pris en charge"),
        (b"\x1f\x8b\x08\x00", "Fichier compressé : décompressez-le"),
        (b'{"acheteurs": [{"id": 1}]}', "Aucun marché trouvé"),
    ],
)
def test_what_is_not_a_decp_file_is_refused_before_any_record(data: bytes, message: str) -> None:
    with pytest.raises(DecpFileError) as error:
        read(data)

    assert str(error.value).startswith(message)
    assert error.value.position is None


def read_until_error(data: bytes) -> tuple[list[RawRecord], DecpFileError]:
    records: list[RawRecord] = []
    try:
        for record in read_records(io.BytesIO(data)):
            records.append(record)
    except DecpFileError as error:
        return records, error
    raise AssertionError("the file was read without error")


def test_a_truncated_file_gives_its_records_then_says_where_it_stopped() -> None:
    whole = (DATA / "v1-real-pes-2019-04.json").read_bytes()

    records, error = read_until_error(whole[: len(whole) // 2])

    assert 500 < len(records) < 600
    assert records == read_file("v1-real-pes-2019-04.json")[: len(records)]
    assert error.position == len(records) + 1
    assert str(error) == (
        f"Lecture interrompue à l'enregistrement n° {len(records) + 1} : le fichier est "
        f"tronqué (fin de fichier inattendue) ; {len(records)} enregistrements ont été lus "
        "avant l'erreur."
    )


def test_broken_syntax_after_the_records_is_reported_after_them() -> None:
    records, error = read_until_error(b'{"marches": {"marche": [{"id": "A"}, {"id": "B"}]}} }')

    assert [record.data["id"] for record in records] == ["A", "B"]
    assert error.position == 3
    assert "la syntaxe JSON est invalide" in str(error)


def test_a_bare_list_and_v1_concessions_by_their_type() -> None:
    records = read(
        b'[{"id": "A", "_type": "Contrat de concession"}, {"id": "B", "_type": "March\xc3\xa9"}]'
    )

    assert [(record.version, record.kind) for record in records] == [
        (None, CONCESSION),
        (None, CONTRACT),
    ]


def test_v2_lists_of_one_published_as_the_object_itself() -> None:
    data = json.dumps(
        {"marches": {"contrat-concession": {"id": "C"}, "marche": [{"id": "M"}], "autre": [1]}}
    ).encode()

    assert [(record.kind, record.data) for record in read(data)] == [
        (CONCESSION, {"id": "C"}),
        (CONTRACT, {"id": "M"}),
    ]


def test_keys_before_marches_do_not_matter() -> None:
    data = b'{"$schema": "https://example.org", "version": 1, "marches": [{"id": "A"}]}'

    assert [(record.version, record.data) for record in read(data)] == [(V1, {"id": "A"})]


def test_values_that_are_not_objects_are_passed_on_for_the_normaliser_to_reject() -> None:
    assert [record.data for record in read(b'{"marches": [1, "x", null, {"id": "A"}]}')] == [
        1,
        "x",
        None,
        {"id": "A"},
    ]
    assert [record.data for record in read(b'{"marches": {"marche": [2, [3]]}}')] == [2, [3]]


def test_numbers_with_decimals_are_read_exactly() -> None:
    (record,) = read(b'{"marches": [{"montant": 38209.72}]}')

    assert str(record.data["montant"]) == "38209.72"


def test_a_byte_order_mark_and_windows_1252_text_are_read() -> None:
    data = b'\xef\xbb\xbf{"marches": [{"objet": "Entretien des b\xe2timents, \x93lot 2\x94"}]}'

    (record,) = read(data)

    assert record.data["objet"] == "Entretien des bâtiments, “lot 2”"


def test_a_character_cut_by_the_end_of_a_chunk_is_kept_whole() -> None:
    before = '{"marches": [{"objet": "'
    padding = "x" * (CHUNK_SIZE - len(before) - 1)
    data = (before + padding + "é" + 'e"}, {"objet": "Marché"}]}').encode()
    assert data[CHUNK_SIZE - 1 : CHUNK_SIZE + 1] == "é".encode()

    first, second = read(data)

    assert first.data["objet"] == padding + "ée"
    assert second.data["objet"] == "Marché"


class OneWay(io.RawIOBase):
    """A stream that cannot go back (a pipe): the reader takes its general path."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def read_one_way(data: bytes) -> list[RawRecord]:
    return list(read_records(io.BufferedReader(OneWay(data))))


V2_CASES = [
    # Each list once, in either order: read list by list, in C.
    b'{"marches": {"marche": [{"id": "A"}, {"id": "B"}], "contrat-concession": [{"id": "C"}]}}',
    b'{"marches": {"contrat-concession": [{"id": "C"}], "marche": [{"id": "A"}, 3]}}',
    b'{"marches" : {\n  "marche" :\n [{"id": "A", "objet": "\\"marche\\": [ dans un texte"}]}}',
    # Less plain: a record in place of a list, a key inside a record, a list met twice.
    b'{"marches": {"marche": {"id": "A"}, "contrat-concession": [{"id": "C"}]}}',
    b'{"marches": {"marche": [{"id": "A", "marche": [1]}]}}',
    b'{"marches": {"marche": [{"id": "A"}], "marche": [{"id": "B"}]}}',
]


@pytest.mark.parametrize("data", V2_CASES)
def test_v2_lists_are_read_as_the_general_path_reads_them(data: bytes) -> None:
    assert read(data) == read_one_way(data)
    assert read(data)


@pytest.mark.parametrize("name", sorted(path.name for path in DATA.glob("v*.json")))
def test_every_data_file_is_read_alike_from_a_file_and_from_a_pipe(name: str) -> None:
    data = (DATA / name).read_bytes()
    try:
        expected = read_one_way(data)
    except DecpFileError as error:
        with pytest.raises(DecpFileError, match=re.escape(error.message)):
            read(data)
    else:
        assert read(data) == expected


def test_a_v2_file_cut_in_its_second_list_says_where_it_stopped() -> None:
    data = b'{"marches": {"contrat-concession": [{"id": "C"}], "marche": [{"id": "A"}, {"id": "B"}, {"id'

    _records, error = read_until_error(data)

    assert error.position == 4
    assert "3 enregistrements ont été lus avant l'erreur" in str(error)
    with pytest.raises(DecpFileError) as from_a_pipe:
        read_one_way(data)
    assert str(from_a_pipe.value) == str(error)


def write_big_file(path: Path, count: int, *, v2: bool) -> int:
    """A file of ``count`` realistic records, written without holding it in memory."""
    example = json.loads((DATA / "v1-real-pes-2019-04.json").read_bytes())["marches"][0]
    with path.open("w", encoding="utf-8") as out:
        out.write('{"marches": {"marche": [' if v2 else '{"marches": [')
        for rank in range(count):
            if rank:
                out.write(",\n")
            out.write(json.dumps(dict(example, id=f"M{rank}"), ensure_ascii=False))
        out.write("]}}" if v2 else "]}")
    return path.stat().st_size


@pytest.mark.parametrize("v2", [False, True], ids=["v1", "v2"])
def test_memory_stays_flat_whatever_the_size_of_the_file(tmp_path: Path, v2: bool) -> None:
    path = tmp_path / "big.json"
    size = write_big_file(path, 50_000, v2=v2)
    assert size > 30_000_000

    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            last = None
            for record in read_records(stream):
                last = record
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert last is not None
    assert last.position == 50_000
    assert last.data["id"] == "M49999"
    # A few chunks and one record at a time, against 35 MB of file.
    assert peak < 2_000_000
