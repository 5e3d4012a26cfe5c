"""Random bearer tokens that are shown once and stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class NewToken:
    """A freshly made token: `secret` goes to its holder, `digest` and `prefix` to the database."""

    secret: str
    digest: str
    prefix: str


def make_token(kind: str) -> NewToken:
    """Return a new token `<kind>_<random>` with 256 bits of randomness."""
    secret = f"{kind}_{secrets.token_urlsafe(32)}"
    return NewToken(secret=secret, digest=digest_token(secret), prefix=secret[: len(kind) + 7])


def digest_token(secret: str) -> str:
    """Return the hex SHA-256 of a token, the form it is stored and looked up in."""
    return hashlib.sha256(secret.encode()).hexdigest()
