"""Bot API parameters as they arrive: typed from JSON bodies, strings from forms."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.sandbox.models import ApiError

Params = Mapping[str, Any]


def opt_int(p: Params, name: str) -> int | None:
    """An integer parameter (int, whole float or numeric string); None if absent."""
    v = p.get(name)
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    raise ApiError(400, f"Bad Request: wrong parameter {name} in request")


def opt_float(p: Params, name: str) -> float | None:
    """A number parameter; None if absent."""
    v = p.get(name)
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: wrong parameter {name} in request") from None


def opt_bool(p: Params, name: str) -> bool:
    """A flag: true/false, or "true"/"1" from a form."""
    v = p.get(name)
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1")
    return bool(v)


def opt_str(p: Params, name: str) -> str | None:
    """A string parameter (numbers converted); None if absent."""
    v = p.get(name)
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def opt_json(p: Params, name: str, what: str) -> Any:
    """A JSON-valued parameter, decoded when it arrives as a string (forms, multipart)."""
    v = p.get(name)
    if isinstance(v, str):
        if v == "":
            return None
        try:
            return json.loads(v)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {what} JSON object") from None
    return v


def chat_id_of(v: Any) -> int | None:
    """A numeric chat id; None for "@username" and other values bots cannot address."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None
