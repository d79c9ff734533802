"""How random a RELAY_KEY is: decode it, then estimate its entropy conservatively.

The rule (docs/privacy.md): the key is read as hex, else as base64 or base64url, else as the
text typed; those bytes must number at least 32, must not be readable text when they were
decoded (a passphrase in base64), and both they and the text as typed must carry an
estimated 128 bits. The estimate is the length of the key's shortest repeating
period times the smaller of two Shannon entropies per symbol: of the symbols, and of the
steps between neighbours (so "abcdef…" scores as low as "aaaa…"). 32 random bytes score
about 150 (never below 135 in 20,000 draws); "a"*32, "password"*4, "0123…" repeated, short
alphabets and typed sentences score far less.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

MIN_BYTES = 32
MIN_BITS = 128

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def decoded(secret: str) -> tuple[bytes, bool]:
    """The key's bytes (hex, else base64/base64url, else the UTF-8 text); True if decoded."""
    text = secret.strip()
    if _HEX.fullmatch(text):
        return bytes.fromhex(text), True
    if _BASE64.fullmatch(text):
        body = text.rstrip("=").replace("-", "+").replace("_", "/")
        try:
            return base64.b64decode(body + "=" * (-len(body) % 4), validate=True), True
        except (binascii.Error, ValueError):
            pass
    return text.encode("utf-8"), False


def _shannon(symbols: Sequence[int]) -> float:
    n = len(symbols)
    if not n:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(symbols).values())


def _period(symbols: Sequence[int]) -> int:
    """The shortest p with symbols[i] == symbols[i - p] for every i (the length if none)."""
    n = len(symbols)
    for p in range(1, n):
        if all(symbols[i] == symbols[i - p] for i in range(p, n)):
            return p
    return n


def estimated_bits(symbols: Sequence[int]) -> float:
    """A conservative entropy estimate of a key, in bits (see the module docstring)."""
    core = list(symbols[: _period(symbols)])
    steps = [(b - a) % 0x110000 for a, b in pairwise(core)]
    per_symbol = min(_shannon(core), _shannon(steps)) if len(core) > 1 else 0.0
    return len(core) * per_symbol


def weakness(secret: str) -> str | None:
    """Why the key is too weak (None when it is random enough)."""
    raw, was_encoded = decoded(secret)
    if len(raw) < MIN_BYTES:
        return f"too short ({len(raw)} bytes once decoded; at least {MIN_BYTES} random bytes)"
    if was_encoded and all(0x20 <= b < 0x7F for b in raw):
        # 32 random bytes are all printable once in 10^14: this is a phrase in disguise.
        return "not random (it decodes to readable text, a passphrase in base64 or hex)"
    bits = max(0.0, min(estimated_bits(raw), estimated_bits([ord(c) for c in secret.strip()])))
    if bits < MIN_BITS:
        return f"not random enough (about {bits:.0f} of {MIN_BITS} bits; a typed or repeated key)"
    return None
