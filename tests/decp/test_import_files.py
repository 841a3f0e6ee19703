"""The real and official DECP files, imported from the command line: counts by outcome,
rejections with their reason, and a second import that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tremplin.decp import decp_import
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpHolder, DecpImport, DecpRecord, DecpRejection
from tremplin.organisations.enums import OrganisationSource
from tremplin.organisations.models import Organisation

DATA = Path(__file__).resolve().parent.parent / "data" / "decp"

# File: (read, created, updated within the file, unchanged within the file, rejected).
# A file may publish one contract several times: the latest publication wins.
EXPECTED = {
    "v1-real-e-marchespublics-2019-04.json": (470, 441, 27, 2, 0),
    "v1-real-pes-2019-04.json": (1148, 1140, 6, 2, 0),
    "v2-concessions.json": (2, 0, 0, 0, 2),
    "v2-marches_avec_modifications.json": (2, 1, 0, 0, 1),
    "v2-marches_concessions.json": (4, 1, 0, 0, 3),
}
NOT_DECP = ["v2-schema_decp_v2.0.3.json", "v2-Marche.xml"]


def _run(network, name: str) -> DecpImport:  # type: ignore[no-untyped-def]
    item = decp_import.decp_import_from_path(network=network, path=DATA / name)
    return decp_import.decp_import_run(decp_import=item)


def _outcome(item: DecpImport) -> tuple[int, int, int, int, int]:
    return (
        item.records_read,
        item.created_count,
        item.updated_count,
        item.unchanged_count,
        item.rejected_count,
    )


def test_every_file_of_the_folder_is_expected():
    assert {path.name for path in DATA.iterdir() if path.suffix in (".json", ".xml")} == set(
        EXPECTED
    ) | set(NOT_DECP)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_file_is_imported_then_imported_again_unchanged(name, network):
    first = _run(network, name)

    assert first.status == DecpImportStatus.DONE
    assert _outcome(first) == EXPECTED[name]
    assert first.records_total == first.records_read
    assert DecpRejection.objects.filter(decp_import=first).count() == first.rejected_count
    assert all(reason for reason in DecpRejection.objects.values_list("reason", flat=True))
    records = set(DecpRecord.objects.values_list("pk", "content_hash"))
    organisations = Organisation.objects.count()
    holders = DecpHolder.objects.count()

    again = _run(network, name)

    read, *_, rejected = EXPECTED[name]
    assert _outcome(again) == (read, 0, 0, read - rejected, rejected)
    assert set(DecpRecord.objects.values_list("pk", "content_hash")) == records
    assert Organisation.objects.count() == organisations
    assert DecpHolder.objects.count() == holders


def test_the_real_files_fill_buyers_and_companies_by_siret(network):
    _run(network, "v1-real-pes-2019-04.json")

    created = Organisation.objects.filter(network=network, source=OrganisationSource.DECP)
    assert created.filter(kind="buyer").exists()
    assert created.filter(kind="company").exists()
    assert not created.filter(confirmed_at__isnull=False).exists()
    # Every organisation of the network has a distinct SIRET: none is created twice.
    sirets = list(Organisation.objects.filter(network=network).values_list("siret", flat=True))
    assert len(sirets) == len(set(sirets))


@pytest.mark.parametrize("name", NOT_DECP)
def test_a_file_that_is_not_decp_json_writes_nothing(name, network):
    item = _run(network, name)

    assert item.status == DecpImportStatus.FAILED
    assert "Rien n'a été importé" in item.error_message
    assert not DecpRecord.objects.exists()


def test_the_command_prints_a_french_summary_and_writes_the_rejections(network, tmp_path, capsys):
    report = tmp_path / "rejets.csv"
    call_command(
        "import-decp",
        str(DATA / "v2-marches_concessions.json"),
        str(DATA / "v2-concessions.json"),
        "--network",
        network.slug,
        "--report",
        str(report),
    )

    output = capsys.readouterr().out
    assert "v2-marches_concessions.json :" in output
    assert "4 enregistrements lus : 1 créé, 0 mis à jour, 0 inchangé, 3 rejetés." in output
    assert "Motifs de rejet les plus fréquents :" in output
    assert "n'a pas de SIRET valide" in output
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Fichier;Rang;Identifiant;Champ;Motif"
    assert len(lines) == 1 + 3 + 2


def test_the_command_refuses_an_unknown_network(network):
    with pytest.raises(CommandError, match="Réseau inconnu"):
        call_command("import-decp", str(DATA / "v2-concessions.json"), "--network", "nulle-part")
