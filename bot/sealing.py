"""The relay cipher: seals the link from an anonymous suggestion to its author.

All keys derive from RELAY_KEY (environment only, never the database) with
HKDF-SHA256, one per purpose: AES-256-GCM for sealed blobs, HMAC-SHA256 for
lookup tags, and a key check value stored so a wrong key is refused at start.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import ConfigError, Settings
from storage import sealing as store
from storage.db import Executor

log = logging.getLogger(__name__)

#: A key shorter than this is refused: it would be guessable offline from the file.
MIN_KEY_CHARS = 32
_SALT = b"unionbot relay v1"
_NONCE_BYTES = 12
_KEY_CHECK_MESSAGE = b"unionbot relay key check v1"

#: How to make a key, repeated in every error about it.
KEY_HINT = 'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose).derive(secret)


class Sealer:
    """AES-GCM sealing and HMAC tags under keys derived from RELAY_KEY."""

    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        self._aead = AESGCM(_derive(raw, b"seal"))
        self._tag_key = _derive(raw, b"tag")
        self._check = hmac.new(_derive(raw, b"check"), _KEY_CHECK_MESSAGE, sha256).digest()

    @property
    def check_value(self) -> bytes:
        """A value only this key produces (stored; compared at every start)."""
        return self._check

    def seal(self, context: bytes, payload: dict[str, Any]) -> bytes:
        """Encrypt payload bound to context: nonce || ciphertext+tag."""
        nonce = os.urandom(_NONCE_BYTES)
        data = json.dumps(payload, separators=(",", ":")).encode()
        return nonce + self._aead.encrypt(nonce, data, context)

    def unseal(self, context: bytes, blob: bytes) -> dict[str, Any] | None:
        """Decrypt; None for a blob of another key or context, or a damaged one."""
        if len(blob) <= _NONCE_BYTES:
            return None
        try:
            data = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context)
        except InvalidTag:
            return None
        value = json.loads(data)
        return value if isinstance(value, dict) else None

    def tag(self, purpose: str, *parts: object) -> bytes:
        """HMAC-SHA256 of purpose and parts: equal inputs give equal tags, nothing else does."""
        message = "\x1f".join([purpose, *(str(p) for p in parts)]).encode()
        return hmac.new(self._tag_key, message, sha256).digest()


def _secret(settings: Settings) -> str:
    return settings.relay_key.get_secret_value().strip() if settings.relay_key else ""


def relay_key_problem(
    secret: str | None, database_path: Path | None, production: bool
) -> str | None:
    """Why the configured key cannot be used (None when it can); read at configuration time.

    Checked before the bot starts so a bad key is a one-line configuration
    error with exit code 2, never a silent fallback to storing author ids.
    """
    secret = (secret or "").strip()
    stored = store.read_key_check_file(database_path) if database_path is not None else None
    if not secret:
        if stored is not None:
            return "missing, but the database holds sealed suggestions that only it opens"
        if production:
            return f"required to run with a bot token (it seals anonymous authors); {KEY_HINT}"
        return None
    if len(secret) < MIN_KEY_CHARS:
        return f"too short (at least {MIN_KEY_CHARS} characters); {KEY_HINT}"
    if stored is not None and not hmac.compare_digest(stored, Sealer(secret).check_value):
        return "does not open the sealed suggestions in this database (wrong key?)"
    return None


async def open_sealer(settings: Settings, db: Executor, now: float) -> Sealer | None:
    """The sealer for this run, checked against the stored key check value.

    Raises ConfigError for a wrong or missing key on a database that has
    sealed rows. Without any key (sandbox, tests) the suggestion box is closed.
    """
    secret = _secret(settings)
    stored = await store.key_check(db)
    if not secret:
        if stored is not None:
            raise ConfigError(
                "configuration error: RELAY_KEY: missing, but the database holds sealed suggestions"
            )
        log.warning("RELAY_KEY is not set: the suggestion box stays closed")
        return None
    if len(secret) < MIN_KEY_CHARS:
        raise ConfigError(f"configuration error: RELAY_KEY: too short; {KEY_HINT}")
    sealer = Sealer(secret)
    if stored is None:
        await store.store_key_check(db, sealer.check_value, now)
    elif not hmac.compare_digest(stored, sealer.check_value):
        raise ConfigError(
            "configuration error: RELAY_KEY: does not open the sealed suggestions in this database"
        )
    return sealer
