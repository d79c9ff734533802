"""Every button namespace and action in one list: no collisions, none over Telegram's 64 bytes."""

from __future__ import annotations

import re

import pytest
from telegram.ext import CallbackQueryHandler

from handlers import routing
from handlers.keyboards import MAX_CALLBACK_BYTES
from handlers.routing import Action, Routes, Word
from tests.harness import Harness


def _namespaces(bot: Harness) -> list[str]:
    """The callback namespace of every button handler the running bot installed."""
    found: list[str] = []
    for group in bot.app.handlers.values():
        for handler in group:
            pattern = getattr(handler, "pattern", None)
            if isinstance(handler, CallbackQueryHandler) and isinstance(pattern, re.Pattern):
                match = re.match(r"\^([A-Za-z0-9_]+):", pattern.pattern)
                found.append(match.group(1) if match else pattern.pattern)
    return found


async def test_no_two_features_share_a_button_namespace(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness(tmp_path).start()
    try:
        installed = _namespaces(bot)
    finally:
        await bot.stop()
    assert installed, "no button handlers found"
    assert sorted(ns for ns in set(installed) if installed.count(ns) > 1) == []


async def test_every_button_namespace_is_a_declared_route_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness(tmp_path).start()
    try:
        installed = set(_namespaces(bot))
    finally:
        await bot.stop()
    assert installed - set(routing.ALL) == set()


async def test_no_declared_button_can_exceed_64_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bot = await Harness(tmp_path).start()
    await bot.stop()
    assert routing.ALL, "no route tables declared"
    assert routing.too_long() == []
    widest = max(
        len(a.widest(ns).encode()) for ns, r in routing.ALL.items() for a in r.actions.values()
    )
    assert widest <= MAX_CALLBACK_BYTES


def test_a_namespace_or_action_declared_twice_is_refused() -> None:
    table = Routes("zz_test_twice")
    try:

        async def handler(*_: object) -> None:
            return None

        table.action("go")(handler)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            table.action("go")(handler)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            Routes("zz_test_twice")
        with pytest.raises(KeyError):
            table.data("gone", 1)
    finally:
        del routing.ALL["zz_test_twice"]


def test_arguments_are_parsed_or_the_press_is_stale() -> None:
    async def handler(*_: object) -> None:
        return None

    act = Action("x", handler, "verified", (int, Word(choices=("a", "b"))), optional=1)  # type: ignore[arg-type]
    assert act.parse(["12", "a"]) == (12, "a")
    assert act.parse(["12"]) == (12,)
    assert act.parse([]) is None
    assert act.parse(["1x"]) is None  # forged number
    assert act.parse(["12", "c"]) is None  # not a choice
    assert act.parse(["12", "a", "9"]) is None  # one too many
    assert act.parse(["9" * 40]) is None  # longer than any id
