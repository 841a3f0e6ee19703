"""Evidence files of eligibility: what may be uploaded, and where it is kept.

An employer vouching for a criterion joins the document it holds (an attestation, a
decision). Only PDF, JPEG and PNG files of 5 MB at most are accepted, recognised by
their first bytes, not by the name the sender gave them. Files are stored under a random
name that says nothing of the person, and are never served as public media: a page
checks who asks first.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIZE_LABEL = "5 Mo"
FOLDER = "justificatifs"

# Kind of file -> (the bytes it starts with, extension, content type).
SIGNATURES: dict[str, tuple[bytes, str, str]] = {
    "pdf": (b"%PDF-", "pdf", "application/pdf"),
    "jpeg": (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
}
CONTENT_TYPES = {extension: content_type for _, extension, content_type in SIGNATURES.values()}
ACCEPTED_LABEL = "PDF, JPEG ou PNG"
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _head(file: IO[bytes] | Any, size: int = 16) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return bytes(head)


def evidence_extension(file: Any) -> str:
    """The extension matching the file's content (``pdf``, ``jpg``, ``png``).

    Raises a ValidationError in French when the file is empty, too large or of another
    kind.
    """
    size = getattr(file, "size", None)
    if not size:
        raise ValidationError("Le fichier est vide.", code="empty")
    if size > MAX_BYTES:
        megabytes = f"{size / (1024 * 1024):.1f}".replace(".", ",")
        raise ValidationError(
            f"Le fichier pèse {megabytes} Mo : {MAX_SIZE_LABEL} au plus.", code="too_large"
        )
    head = _head(file)
    for signature, extension, _ in SIGNATURES.values():
        if head.startswith(signature):
            return extension
    raise ValidationError(
        f"Ce fichier n'est pas un {ACCEPTED_LABEL} : joignez le justificatif dans l'un de "
        "ces formats.",
        code="type",
    )


def validate_evidence_file(file: Any) -> None:
    evidence_extension(file)


def evidence_path(instance: object, filename: str) -> str:
    """A random path: neither the person's name nor the sender's file name shows in it."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension not in CONTENT_TYPES:
        extension = "bin"
    token = secrets.token_urlsafe(24)
    return f"{FOLDER}/{token[:2].lower()}/{token}.{extension}"


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(PurePath(name).suffix.lower().lstrip("."), "application/octet-stream")
