"""An import whose worker died is found, then run on from where it stopped (never writing a
record twice) or, after too many stops, closed as failed with a French message."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.decp.building import record
from tremplin.decp import decp_import, services
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport, DecpRecord

RECORDS = 23


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IMPORT_STALE_SECONDS = 60
    settings.IMPORT_MAX_ATTEMPTS = 3


@pytest.fixture
def decp_file(tmp_path):  # type: ignore[no-untyped-def]
    records = [
        {
            "id": f"2025-{index:03}",
            "objet": f"Travaux n° {index}",
            "acheteur": {"id": "21750001600019"},
            "titulaires": [{"id": "55204599900869", "typeIdentifiant": "SIRET"}],
            "montant": 1000 + index,
            "dateNotification": "2025-03-01",
            "datePublicationDonnees": "2025-03-02",
            "nature": "Marché",
            "codeCPV": "45000000-7",
        }
        for index in range(RECORDS)
    ]
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": records}), encoding="utf-8")
    return path


def killed_after_batches(  # type: ignore[no-untyped-def]
    monkeypatch, network, path, batches: int
) -> DecpImport:
    """An import run by batches of 5 records whose process dies after ``batches`` batches."""
    cut = services._batches
    written = 0

    def dying(items, size):  # type: ignore[no-untyped-def]
        nonlocal written
        for batch in cut(items, 5):
            if written == batches:
                raise Killed
            written += 1
            yield batch

    monkeypatch.setattr(services, "_batches", dying)
    item = decp_import.decp_import_from_path(network=network, path=path)
    with pytest.raises(Killed):
        decp_import.decp_import_run(decp_import=item)
    monkeypatch.setattr(services, "_batches", cut)
    item.refresh_from_db()
    return item


def silent_for(item: DecpImport, minutes: int) -> None:
    DecpImport.objects.filter(pk=item.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_dead_import_is_run_on_and_writes_each_record_once(monkeypatch, network, decp_file):
    item = killed_after_batches(monkeypatch, network, decp_file, batches=2)
    assert (item.status, item.records_read) == (DecpImportStatus.RUNNING, 10)
    assert DecpRecord.objects.count() == 10

    silent_for(item, minutes=2)
    done = decp_import.decp_import_recover()

    item.refresh_from_db()
    written = "10 enregistrements avaient déjà été écrits"
    assert done == [f"Import DECP n° {item.pk} (decp.json) : relancé ({written})."]
    assert item.status == DecpImportStatus.DONE
    assert (item.records_read, item.created_count, item.updated_count) == (23, 23, 0)
    assert (item.unchanged_count, item.repeated_count, item.rejected_count) == (0, 0, 0)
    assert item.attempts == 2
    assert DecpRecord.objects.count() == 23
    assert sorted(DecpRecord.objects.values_list("identifier", flat=True)) == [
        f"2025-{index:03}" for index in range(23)
    ]


def test_an_import_still_beating_is_left_alone(monkeypatch, network, decp_file):
    item = killed_after_batches(monkeypatch, network, decp_file, batches=1)
    silent_for(item, minutes=0)

    assert decp_import.decp_import_recover() == []
    item.refresh_from_db()
    assert item.status == DecpImportStatus.RUNNING


def test_an_import_that_dies_again_and_again_ends_failed_with_what_to_do(
    monkeypatch, network, decp_file
):
    item = killed_after_batches(monkeypatch, network, decp_file, batches=1)
    DecpImport.objects.filter(pk=item.pk).update(attempts=3)
    silent_for(item, minutes=5)

    decp_import.decp_import_recover()

    item.refresh_from_db()
    assert item.status == DecpImportStatus.FAILED
    assert item.error_message.startswith("Le traitement de l'import s'est arrêté sans finir 3 fois")
    assert "5 enregistrements avaient déjà été écrits." in item.error_message
    assert "Renvoyez le même fichier" in item.error_message
    assert DecpRecord.objects.count() == 5


def test_a_queued_import_whose_task_vanished_is_queued_again(settings, network, decp_file):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    item = decp_import.decp_import_launch(
        decp_import=decp_import.decp_import_from_path(network=network, path=decp_file)
    )
    first_task = item.task_id
    DBTaskResult.objects.all().delete()

    decp_import.decp_import_recover(only=item)

    item.refresh_from_db()
    assert item.status == DecpImportStatus.WAITING
    assert item.task_id
    assert item.task_id != first_task
    assert DBTaskResult.objects.filter(pk=item.task_id).exists()


def test_an_import_nobody_took_for_a_day_ends_failed(settings, network, decp_file):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    item = decp_import.decp_import_launch(
        decp_import=decp_import.decp_import_from_path(network=network, path=decp_file)
    )
    DecpImport.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(hours=25))

    call_command("recover_imports")

    item.refresh_from_db()
    assert item.status == DecpImportStatus.FAILED
    assert "Aucun traitement de fond n'a pris cet import en charge depuis 24 heures" in (
        item.error_message
    )
    assert not DecpRecord.objects.exists()


def test_a_run_judged_dead_while_slow_stops_without_writing_its_batch(
    monkeypatch, network, decp_file
):
    item = killed_after_batches(monkeypatch, network, decp_file, batches=1)
    # The recovery handed the import on; the old run wakes up with its next batch.
    DecpImport.objects.filter(pk=item.pk).update(attempts=2)
    item.refresh_from_db()
    item.attempts = 1
    with pytest.raises(services.ImportTakenBack):
        services.import_records(item, [record("LATE")], offset=5)
    assert not DecpRecord.objects.filter(identifier="LATE").exists()


def test_the_page_of_a_dead_import_stops_waiting_and_says_why(
    monkeypatch, structure, network, decp_file
):
    from django.urls import reverse

    item = killed_after_batches(monkeypatch, network, decp_file, batches=1)
    DecpImport.objects.filter(pk=item.pk).update(attempts=3)
    silent_for(item, minutes=30)

    response = structure.client.get(reverse("decp:import_progress", args=[item.pk]))

    assert response["HX-Refresh"] == "true"  # the page reloads on the report
    item.refresh_from_db()
    assert item.status == DecpImportStatus.FAILED
    page = structure.client.get(reverse("decp:import_detail", args=[item.pk])).content.decode()
    assert "arrêté sans finir 3 fois" in page.replace("&#x27;", "'")
