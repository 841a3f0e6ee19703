"""Helpers for files received by the imports: their digest and their size, told in French."""

from __future__ import annotations

import hashlib
from typing import Any


def sha256_of(file: Any) -> str:
    """The SHA-256 of an uploaded or opened file, read by chunks, the file rewound."""
    sha = hashlib.sha256()
    file.seek(0)
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
    for chunk in chunks:
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def size_text(size: int) -> str:
    """A file size the French way: ``25,3 Mo``, ``20 Mo``, ``3,2 Ko``."""
    unit, value = ("Mo", size / (1024 * 1024)) if size >= 1024 * 1024 else ("Ko", size / 1024)
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} {unit}"
