"""HTTP helpers shared by the views: exports as downloadable files, safe return addresses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from tremplin.core.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Column,
    Value,
    to_csv,
    to_xlsx,
)

EXPORT_FORMATS = ("csv", "xlsx")


def export_format(value: str | None) -> str | None:
    """The export format asked for by ``?format=``, or None to show the page."""
    return value if value in EXPORT_FORMATS else None


def export_response(
    request_format: str,
    filename_stem: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Value]],
    sheet_title: str,
) -> HttpResponse:
    """A response that downloads ``rows`` as ``<stem>-<date>.csv`` or ``.xlsx``."""
    if request_format == "xlsx":
        content = to_xlsx(columns, rows, sheet_title)
        content_type = XLSX_CONTENT_TYPE
    elif request_format == "csv":
        content = to_csv(columns, rows)
        content_type = CSV_CONTENT_TYPE
    else:
        raise ValueError(f"Unknown export format: {request_format!r}")
    filename = f"{filename_stem}-{timezone.localdate().isoformat()}.{request_format}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The page to go back to after a form (``next``), if it is on this site; else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
