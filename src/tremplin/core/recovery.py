"""Imports whose background work died: found here, the same way for every kind of import.

A running import writes ``heartbeat_at`` at each batch or progress step (``Heartbeat``);
its ``attempts`` counts the runs that claimed it. ``abandoned`` finds the imports of a
model that nobody is working on any more:

- running, but silent for longer than ``IMPORT_STALE_SECONDS`` (the worker was killed,
  the machine restarted);
- queued, but their task is gone (deleted, or ended without running the import);
- queued for longer than ``IMPORT_QUEUED_MAX_SECONDS`` (no worker takes them).

Each app then decides, knowing what its import writes, whether to run it again or to
close it as failed (``IMPORT_MAX_ATTEMPTS`` runs at most). The apps' recoveries are
listed in the setting ``IMPORT_RECOVERIES``; ``python -m tremplin recover_imports`` runs
them, and an import's page runs its own when it is viewed.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

DEFAULT_STALE_SECONDS = 15 * 60
DEFAULT_QUEUED_MAX_SECONDS = 24 * 60 * 60
DEFAULT_MAX_ATTEMPTS = 3
# A running import writes its heartbeat at most this often while it only reads.
HEARTBEAT_SECONDS = 15.0


def stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "IMPORT_STALE_SECONDS", DEFAULT_STALE_SECONDS)))


def queued_max() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "IMPORT_QUEUED_MAX_SECONDS", DEFAULT_QUEUED_MAX_SECONDS))
    )


def max_attempts() -> int:
    return int(getattr(settings, "IMPORT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


class Heartbeat:
    """Calls ``write`` when called, at most every ``every`` seconds."""

    def __init__(self, write: Callable[[], Any], every: float = HEARTBEAT_SECONDS) -> None:
        self.write = write
        self.every = every
        self.last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.write()
            self.last = now


class Why(enum.Enum):
    SILENT = "silent"  # running, no heartbeat for too long
    TASK_GONE = "task_gone"  # queued, its task deleted or over
    WAITED_TOO_LONG = "waited_too_long"  # queued, no worker took it


@dataclass(frozen=True)
class Abandoned:
    item: Any
    why: Why


def task_gone(task: Any, task_id: str) -> bool:
    """Whether the task of a queued import will never run it. A backend that cannot tell
    (the immediate one) says no: the waiting time still catches it."""
    if not task_id:
        return False
    try:
        result = task.get_result(task_id)
    except TaskResultDoesNotExist:
        return True
    except NotImplementedError:
        return False
    if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
        return True
    if result.status == TaskResultStatus.RUNNING:
        started = result.started_at or result.enqueued_at
        return started is None or started < timezone.now() - stale_after()
    return False


def abandoned(
    imports: QuerySet[Any],
    *,
    running: Iterable[str],
    queued: Iterable[str],
    task: Any,
) -> list[Abandoned]:
    """The imports of ``imports`` nobody works on any more, and why."""
    now = timezone.now()
    silent_since = now - stale_after()
    found: list[Abandoned] = []
    silent = imports.filter(status__in=list(running)).filter(
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, created_at__lt=silent_since)
    )
    found.extend(Abandoned(item, Why.SILENT) for item in silent)
    for item in imports.filter(status__in=list(queued)):
        if item.created_at < now - queued_max():
            found.append(Abandoned(item, Why.WAITED_TOO_LONG))
        elif task_gone(task, item.task_id):
            found.append(Abandoned(item, Why.TASK_GONE))
    return found


def take_back(model: type[Model], item: Any, **changes: Any) -> bool:
    """Change an abandoned import only if it is still as it was found: a worker that
    came back to life in between keeps it."""
    return bool(
        model._default_manager.filter(
            pk=item.pk,
            status=item.status,
            attempts=item.attempts,
            heartbeat_at=item.heartbeat_at,
        ).update(**changes)
    )


def recover_all() -> list[str]:
    """Run every app's recovery (setting ``IMPORT_RECOVERIES``); what each did, in French."""
    done: list[str] = []
    for path in getattr(settings, "IMPORT_RECOVERIES", []):
        recover: Callable[[], list[str]] = import_string(path)
        done.extend(recover())
    return done
