"""Secrets at rest: ATS credentials are stored as Fernet tokens made with ENCRYPTION_KEY.

ENCRYPTION_KEY holds one key, or several comma-separated with the newest first (MultiFernet):
tokens are always made with the newest key and read with any of them, so a key is rotated by
putting the new one in front, running `flask ats rotate-key` (re-encrypts every row), then
dropping the old one. Nothing here logs or returns a secret in an error message.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from ..errors import ValidationError


class CredentialsUnreadable(RuntimeError):
    """A stored token was made with a key that is no longer in ENCRYPTION_KEY."""


def encryption_ready() -> bool:
    """Whether the operator has set ENCRYPTION_KEY (no ATS can be connected without it)."""
    return bool(current_app.config.get("ENCRYPTION_KEYS"))


def _box(writing: bool = False) -> MultiFernet:
    keys = current_app.config.get("ENCRYPTION_KEYS") or []
    if not keys and writing:
        raise ValidationError(
            "Connecting an ATS needs an encryption key for the stored credentials. Ask whoever runs this "
            "site to set ENCRYPTION_KEY."
        )
    if not keys:
        raise CredentialsUnreadable("ENCRYPTION_KEY is not set, so the stored ATS credentials cannot be read.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(values: dict) -> str:
    """The values (a dict of strings) as one token made with the newest key. ValidationError
    (for the connect form) when no key is configured."""
    return _box(writing=True).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    """The values back from a token; CredentialsUnreadable if no configured key opens it."""
    try:
        return json.loads(_box().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable(
            "The stored credentials cannot be read with the current ENCRYPTION_KEY (was a key removed before "
            "`flask ats rotate-key` ran?). Enter the credentials again."
        ) from None


def rotate(token: str) -> str:
    """The same values under the newest key (MultiFernet.rotate keeps the original timestamp)."""
    try:
        return _box().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable("A stored token cannot be read with any configured key.") from None
