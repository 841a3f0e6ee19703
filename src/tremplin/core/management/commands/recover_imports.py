"""``python -m tremplin recover_imports``: run again, or close as failed, the imports whose
background work died (see ``tremplin.core.recovery``). Meant to be scheduled (every few
minutes) and run before the worker starts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tremplin.core.recovery import recover_all


class Command(BaseCommand):
    help = "Relance ou clôt en échec les imports dont le traitement de fond s'est arrêté."

    def handle(self, *args: Any, **options: Any) -> None:
        done = recover_all()
        for line in done:
            self.stdout.write(line)
        if not done:
            self.stdout.write("Aucun import interrompu.")
