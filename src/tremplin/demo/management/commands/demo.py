"""``python -m tremplin demo``: load the demo territories, or show their logins."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from tremplin.demo.territories import (
    DEMO_PASSWORD,
    MAYOTTE_SLUG,
    demo_is_loaded,
    demo_logins,
    demo_summary,
    load_demo,
    reset_demo,
)
from tremplin.organisations.models import Network


def grouped(value: int | Decimal) -> str:
    """``258000`` → ``258 000``."""
    return f"{int(value):,}".replace(",", " ")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{grouped(count)} {singular if count < 2 else plural_form or singular + 's'}"


class Command(BaseCommand):
    help = (
        "Charge les territoires de démonstration (Mayotte, Essonne) s'ils ne le sont pas "
        "encore ; --logins affiche les comptes de démonstration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Affiche les comptes de démonstration (rôle, courriel, mot de passe).",
        )
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000",
            help="L'adresse où la démonstration est servie, pour le lien de connexion.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime d'abord les réseaux de démonstration et leurs données, puis les recharge.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"] or not options["logins"]:
            self._migrate()
        if options["reset"]:
            reset_demo()
            self.stdout.write("Les réseaux de démonstration et leurs données ont été supprimés.")
        if options["reset"] or not options["logins"]:
            self._load()
        if options["logins"]:
            self._print_logins(options["address"])

    def _migrate(self) -> None:
        """Create or update the tables first: on a new database the demo would find none."""
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Mise à jour de la base de données (migrations)…")
            call_command("migrate", interactive=False, verbosity=0)

    def _load(self) -> None:
        if demo_is_loaded():
            network = Network.objects.get(slug=MAYOTTE_SLUG)
            self.stdout.write(
                f"La démonstration est déjà chargée (réseau « {network.name} ») : rien n'a été "
                "modifié. « python -m tremplin demo --reset » la recharge."
            )
            return
        self.stdout.write("Chargement des territoires de démonstration…")
        started = time.monotonic()
        load_demo()
        elapsed = f"{time.monotonic() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Démonstration chargée en {elapsed} s."))
        for summary in demo_summary():
            self.stdout.write(
                f"• {summary.name} : "
                f"{plural(summary.structures, 'structure')} de facilitation, "
                f"{plural(summary.buyers, 'acheteur')}, "
                f"{plural(summary.contracts, 'marché')} avec clause sociale, "
                f"{plural(summary.participants, 'participant')}, "
                f"{grouped(summary.validated_hours)} heures validées, "
                f"soit {grouped(summary.whole_fte)} ETP "
                f"({grouped(summary.hours_per_fte)} h par ETP)."
            )
        self.stdout.write("Les comptes de démonstration : « python -m tremplin demo --logins ».")

    def _print_logins(self, address: str) -> None:
        logins = demo_logins()
        headers = ("Rôle", "Courriel", "Mot de passe", "Ce qu'il voit")
        rows = [(item.role, item.email, item.password, item.description) for item in logins]
        widths = [max(len(row[index]) for row in [headers, *rows]) for index in range(3)]
        self.stdout.write(f"Comptes de démonstration — mot de passe commun : {DEMO_PASSWORD}")
        self.stdout.write("")
        for row in [headers, *rows]:
            cells = [row[index].ljust(widths[index]) for index in range(3)]
            self.stdout.write("  ".join([*cells, row[3]]).rstrip())
            if row is headers:
                self.stdout.write("  ".join("-" * width for width in [*widths, len(headers[3])]))
        self.stdout.write("")
        address = address.rstrip("/")
        self.stdout.write(f"Connexion : {address}/connexion/ — administration : {address}/admin/")
