"""``python -m tremplin import-decp FILE… --network <slug>``: import DECP files.

Each file is read as a stream and its records written by batches; a summary in French
follows each file, and ``--report`` writes every rejected record to a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tremplin.core.templatetags.french import number
from tremplin.decp import decp_import, selectors
from tremplin.decp.enums import DecpImportStatus
from tremplin.decp.models import DecpImport
from tremplin.organisations.models import Network

TOP_REASONS = 10
REPORT_HEADER = ("Fichier", "Rang", "Identifiant", "Champ", "Motif")


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{number(count)} {singular if count <= 1 else plural}"


class Command(BaseCommand):
    help = (
        "Importe des fichiers DECP (données essentielles de la commande publique, JSON v1 ou v2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
        parser.add_argument(
            "--network", required=True, help="identifiant (slug) du réseau qui importe"
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="RAPPORT.csv",
            help="écrit les enregistrements rejetés et leur motif dans ce fichier CSV",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            network = Network.objects.get(slug=options["network"])
        except Network.DoesNotExist as error:
            raise CommandError(f"Réseau inconnu : « {options['network']} ».") from error
        paths: list[Path] = options["files"]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError("Fichier introuvable : " + ", ".join(missing))
        imports = []
        for path in paths:
            item = decp_import.decp_import_from_path(network=network, path=path)
            item = decp_import.decp_import_run(decp_import=item)
            self._summary(item)
            imports.append(item)
        if options["report"]:
            self._report(options["report"], imports)
        if any(item.status == DecpImportStatus.FAILED for item in imports):
            raise CommandError("Au moins un fichier n'a pas pu être importé.")

    def _summary(self, item: DecpImport) -> None:
        self.stdout.write(f"{item.file_name} :")
        if item.status == DecpImportStatus.FAILED:
            self.stdout.write(self.style.ERROR(f"  Échec : {item.error_message}"))
            if not item.records_read:
                return
        self.stdout.write(
            "  "
            + _plural(item.records_read, "enregistrement lu", "enregistrements lus")
            + " : "
            + ", ".join(
                [
                    _plural(item.created_count, "créé", "créés"),
                    _plural(item.updated_count, "mis à jour", "mis à jour"),
                    _plural(item.unchanged_count, "inchangé", "inchangés")
                    + (
                        f" (dont {number(item.outdated_count)} publication"
                        f"{'s' if item.outdated_count > 1 else ''} plus ancienne"
                        f"{'s' if item.outdated_count > 1 else ''})"
                        if item.outdated_count
                        else ""
                    ),
                    _plural(item.rejected_count, "rejeté", "rejetés"),
                ]
            )
            + "."
        )
        if item.repeated_count:
            self.stdout.write(
                "  "
                + _plural(
                    item.repeated_count,
                    "publication répète un marché déjà lu dans le fichier",
                    "publications répètent un marché déjà lu dans le fichier",
                )
                + " : la plus récente est gardée."
            )
        if item.organisations_created:
            self.stdout.write(
                "  "
                + _plural(
                    item.organisations_created,
                    "organisation créée d'après son SIRET",
                    "organisations créées d'après leur SIRET",
                )
                + ", à confirmer."
            )
        reasons = selectors.rejection_counts(item)
        if reasons:
            self.stdout.write("  Motifs de rejet les plus fréquents :")
            for reason in reasons[:TOP_REASONS]:
                where = f"[{reason.field}] " if reason.field else ""
                self.stdout.write(f"    {number(reason.count)} × {where}{reason.example}")
            if len(reasons) > TOP_REASONS:
                self.stdout.write(f"    … et {number(len(reasons) - TOP_REASONS)} autres motifs.")

    def _report(self, target: Path, imports: list[DecpImport]) -> None:
        count = 0
        with target.open("w", newline="", encoding="utf-8-sig") as output:
            writer = csv.writer(output, delimiter=";")
            writer.writerow(REPORT_HEADER)
            for item in imports:
                for position, identifier, field, reason in selectors.rejection_export_rows(
                    item
                ).iterator(chunk_size=2000):
                    writer.writerow((item.file_name, position, identifier, field, reason))
                    count += 1
        self.stdout.write(
            f"Rapport des rejets : {target} ("
            + _plural(count, "enregistrement rejeté", "enregistrements rejetés")
            + ")."
        )
