"""Django templates printed to PDF with WeasyPrint: A4, system fonts, nothing fetched remotely.

WeasyPrint needs Pango at import time; it is imported lazily so that the rest of the site
runs without it, and a missing library becomes ``PdfUnavailable`` (a French error page)
instead of a server error. Resources are read from the project's static files only: a
template that points to an ``http(s)`` URL gets nothing, so a report never waits on, nor
leaks to, the network.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
UNAVAILABLE_MESSAGE = (
    "La génération des PDF n'est pas disponible sur ce serveur : les bibliothèques système "
    "dont WeasyPrint a besoin (Pango) ne sont pas installées. L'export Excel reste disponible."
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are not installed."""


def static_directories() -> list[Path]:
    """Where a PDF template may read images and stylesheets from."""
    directories = [Path(directory).resolve() for directory in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        directories.append(Path(settings.STATIC_ROOT).resolve())
    return directories


def _weasyprint() -> Any:
    try:
        import weasyprint  # needs Pango: imported only when a PDF is asked
    except (ImportError, OSError) as error:
        logger.error("WeasyPrint cannot be loaded: %s", error)
        raise PdfUnavailable(UNAVAILABLE_MESSAGE) from error
    return weasyprint


def _offline_fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that reads ``data:`` URLs and static files, and refuses anything else."""
    allowed = static_directories()

    class OfflineFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not any(path.is_relative_to(directory) for directory in allowed):
                    raise ValueError(f"Ressource hors des fichiers statiques : {url}")
            elif parts.scheme != "data":
                raise ValueError(f"Ressource distante refusée : {url}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols=("file", "data"), timeout=2)


def html_to_pdf(html: str) -> bytes:
    """The HTML printed to PDF; relative URLs resolve against the project's static files."""
    weasyprint = _weasyprint()
    base_url = static_directories()[0].as_uri() + "/"
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=_offline_fetcher(weasyprint)
    )
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(template_name: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    """A Django template rendered with ``context`` and printed to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(
    request: HttpRequest, template_name: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The PDF as a download named ``filename``, or a French error page (503) without Pango."""
    try:
        content = render_pdf(template_name, context, request)
    except PdfUnavailable as error:
        return render(
            request, "reporting/pdf/unavailable.html", {"message": str(error)}, status=503
        )
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
