"""The relay cipher: seals the link from an anonymous suggestion to its author.

All keys derive from RELAY_KEY (environment only, never the database) with
HKDF-SHA256, one per purpose: AES-256-GCM for sealed blobs, HMAC-SHA256 for
lookup tags. A key check value, stored so a wrong key is refused at start, is
made with scrypt: whoever holds the file pays ~0.1 s and 32 MiB per guess.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot import key_strength
from bot.config import ConfigError, Settings
from storage import relay_key
from storage import sealing as store
from storage.db import Executor

log = logging.getLogger(__name__)

_SALT = b"unionbot relay v1"
_NONCE_BYTES = 12
#: The check value before scrypt (HMAC-SHA256, 32 bytes): verified once, then upgraded.
_KEY_CHECK_MESSAGE = b"unionbot relay key check v1"
#: Stored check value: prefix, random salt, scrypt(key, salt) with the costs below.
_CHECK_PREFIX = b"scrypt$"
_CHECK_SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

#: How to make a key, repeated in every error about it.
KEY_HINT = 'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose).derive(secret)


@lru_cache(maxsize=8)
def _scrypt(secret: bytes, salt: bytes) -> bytes:
    # Cached: configuration and start-up both check the same key against the same salt.
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(secret)


def _legacy_check(secret: bytes) -> bytes:
    return hmac.new(_derive(secret, b"check"), _KEY_CHECK_MESSAGE, sha256).digest()


def is_legacy_check(stored: bytes) -> bool:
    """Whether a stored check value is the old fast HMAC form (to upgrade once verified)."""
    return not stored.startswith(_CHECK_PREFIX)


class Sealer:
    """AES-GCM sealing and HMAC tags under keys derived from RELAY_KEY."""

    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        self._raw = raw
        self._aead = AESGCM(_derive(raw, b"seal"))
        self._tag_key = _derive(raw, b"tag")
        self._check: bytes | None = None

    @property
    def check_value(self) -> bytes:
        """A fresh scrypt check value of this key (salted, so stored once and compared after)."""
        if self._check is None:
            salt = os.urandom(_CHECK_SALT_BYTES)
            self._check = _CHECK_PREFIX + salt + _scrypt(self._raw, salt)
        return self._check

    def opens(self, stored: bytes) -> bool:
        """Whether a stored check value (scrypt, or the old HMAC form) was made by this key."""
        if is_legacy_check(stored):
            return hmac.compare_digest(stored, _legacy_check(self._raw))
        body = stored[len(_CHECK_PREFIX) :]
        salt, digest = body[:_CHECK_SALT_BYTES], body[_CHECK_SALT_BYTES:]
        return hmac.compare_digest(digest, _scrypt(self._raw, salt))

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
    weakness = key_strength.weakness(secret)
    if weakness:
        return f"{weakness}; {KEY_HINT}"
    if stored is not None and not Sealer(secret).opens(stored):
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
    weakness = key_strength.weakness(secret)
    if weakness:
        raise ConfigError(f"configuration error: RELAY_KEY: {weakness}; {KEY_HINT}")
    sealer = Sealer(secret)
    if stored is None:
        await store.store_key_check(db, sealer.check_value, now)
    elif not sealer.opens(stored):
        raise ConfigError(
            "configuration error: RELAY_KEY: does not open the sealed suggestions in this database"
        )
    elif is_legacy_check(stored):
        # The old HMAC form allowed fast offline guessing: replace it now the key is proven.
        await relay_key.replace_key_check(db, sealer.check_value)
        log.info("RELAY_KEY check value upgraded to scrypt")
    return sealer
