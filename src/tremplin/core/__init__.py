"""Shared foundations: reference lists (ROME), history base, formatting, pure helpers."""
