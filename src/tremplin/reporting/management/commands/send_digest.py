"""``python -m tremplin send_digest``: the daily email of what facilitators have to deal with,
and the day's reminders of six-month situations to record (notifications)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tremplin.inclusion.outcome_services import notify_follow_ups_due
from tremplin.organisations.access import UserScope
from tremplin.organisations.enums import OrganisationKind
from tremplin.reporting.alerts import Alerts, alerts_for
from tremplin.reporting.selectors import DigestRecipient, digest_recipients


def _as_date(value: str | datetime.date | None) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide : {value} (attendu : AAAA-MM-JJ).") from error


class Command(BaseCommand):
    help = (
        "Envoie à chaque facilitateur un courriel listant ce que ses structures ont à "
        "traiter (marchés en retard, déclarations manquantes, justificatifs expirant, "
        "critères et heures à vérifier), et notifie les situations à 6 mois à saisir."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les courriels au lieu de les envoyer (et ne crée aucune notification).",
        )
        parser.add_argument(
            "--date",
            help="Calcule les alertes à cette date (AAAA-MM-JJ) ; aujourd'hui par défaut.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _as_date(options.get("date"))
        dry_run = bool(options.get("dry_run"))
        with translation.override(settings.LANGUAGE_CODE):
            messages = self._messages(today)
            if dry_run:
                for message in messages:
                    self.stdout.write(f"À : {', '.join(message.to)}")
                    self.stdout.write(f"Objet : {message.subject}")
                    self.stdout.write(str(message.body))
                    self.stdout.write("-" * 72)
                self.stdout.write(
                    f"{len(messages)} courriel{'s' if len(messages) > 1 else ''} "
                    f"à envoyer (simulation : aucun n'a été envoyé)."
                )
                return
            # Once per exit: running the command twice the same day writes nothing new.
            reminders = notify_follow_ups_due(today)
            plural = "s" if reminders > 1 else ""
            self.stdout.write(
                f"{reminders} notification{plural} de situation à 6 mois créée{plural}."
            )
            sent = get_connection().send_messages(messages) if messages else 0
            sent = sent or 0
            self.stdout.write(
                f"{sent} courriel{'s' if sent > 1 else ''} envoyé{'s' if sent > 1 else ''}."
            )

    def _messages(self, today: datetime.date) -> list[EmailMultiAlternatives]:
        """One message per facilitator with something to report. Alerts are computed once
        per set of structures, whatever the number of their members."""
        computed: dict[frozenset[int], Alerts] = {}
        messages = []
        for recipient in digest_recipients():
            alerts = computed.get(recipient.structure_ids)
            if alerts is None:
                scope = UserScope(
                    user_id=None,
                    organisation_ids_by_kind={
                        OrganisationKind.FACILITATOR.value: recipient.structure_ids
                    },
                )
                alerts = alerts_for(scope, today=today)
                computed[recipient.structure_ids] = alerts
            if alerts:
                messages.append(self._message(recipient, alerts))
        return messages

    def _message(self, recipient: DigestRecipient, alerts: Alerts) -> EmailMultiAlternatives:
        context = {
            "recipient": recipient,
            "structures": ", ".join(recipient.structure_names),
            "alerts": alerts,
            "site_url": settings.TREMPLIN_SITE_URL,
        }
        count = alerts.count
        subject = (
            f"Tremplin — {count} point{'s' if count > 1 else ''} à traiter au "
            f"{alerts.today:%d/%m/%Y}"
        )
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("reporting/email/digest.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        )
        message.attach_alternative(
            render_to_string("reporting/email/digest.html", context), "text/html"
        )
        return message
