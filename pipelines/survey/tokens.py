"""Secret survey links: random tokens of which only a SHA-256 hash is ever stored.

A token carries 192 random bits, so an unsalted SHA-256 is enough to make the stored hash
useless to whoever reads the survey folder; a slow password hash would only add latency to
every page load of the survey.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 24  # 32 URL-safe characters
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed(token: object) -> bool:
    """Cheap shape check before any lookup: rejects empty, huge or odd input at once."""
    return isinstance(token, str) and bool(_TOKEN_SHAPE.fullmatch(token))
