"""``python -m tremplin notify_follow_ups``: remind facilitators of the six-month situations
to record. The daily ``send_digest`` runs it too; this command runs it alone."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tremplin.inclusion.outcome_services import notify_follow_ups_due


class Command(BaseCommand):
    help = (
        "Notifie les membres de chaque structure de facilitation, une fois par sortie, "
        "que la situation à 6 mois d'un participant est à saisir."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Cherche les situations dues à cette date (AAAA-MM-JJ) ; aujourd'hui par défaut.",
        )
        parser.add_argument(
            "--sans-courriel",
            action="store_true",
            dest="no_email",
            help=(
                "Écrit les notifications sans les envoyer par courriel (première mise en "
                "service sur une base qui a déjà beaucoup de sorties à suivre)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options.get("date"))
        created = notify_follow_ups_due(today, email=not options.get("no_email"))
        plural = "s" if created > 1 else ""
        self.stdout.write(
            f"{created} notification{plural} de situation à 6 mois créée{plural} "
            f"au {today:%d/%m/%Y}."
        )


def parse_date(value: str | datetime.date | None) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : {value} (attendu : AAAA-MM-JJ).") from error
