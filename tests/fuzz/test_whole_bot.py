"""A Hypothesis state machine drives the whole Application with random member and officer actions.

After every step: no handler raised (the error handler logged nothing), every
private message or button press got a visible answer, and the database
invariants hold. `make test` runs a bounded number of examples;
`pytest tests/fuzz --fuzz-examples 500 --fuzz-steps 50` runs longer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import string
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.fuzz.invariants import check_database
from tests.harness import Harness

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
STEPS = int(os.environ.get("FUZZ_STEPS", "25"))

MEMBER, OFFICER, ADMIN, NEWCOMER = 201, 202, 203, 204
PEOPLE = (MEMBER, OFFICER, ADMIN, NEWCOMER)
COMMANDS = [
    "/start",
    "/menu",
    "/help",
    "/cancel",
    "/profile",
    "/officer",
    "/start bogus",
    "/nonsense",
    "/start@union_test_bot",
]
FORGED_PARTS = st.sampled_from(
    ["reg", "m", "pf", "jr", "iv", "ua", "ra", "sv", "ev", "sg", "st", "an", "ack", "x", ""]
)


class _ErrorCounter(logging.Handler):
    """Counts records from the error handler: any means a handler raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _visible_text() -> st.SearchStrategy[str]:
    # What a Telegram client can send: non-blank, at most 4096 UTF-16 units.
    # Longer texts are split by the client, so 4096 is the most one message can carry.
    short = st.text(min_size=1, max_size=600)
    long = st.text(alphabet=string.ascii_letters + "中文 <>&", min_size=4000, max_size=4096)
    return (short | long).filter(
        lambda s: s.strip() != "" and len(s.encode("utf-16-le")) // 2 <= 4096
    )


class WholeBot(RuleBasedStateMachine):
    """Random sequences of what members and officers do, with restarts in between."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.TemporaryDirectory()
        self.errors = _ErrorCounter()
        logging.getLogger("handlers.errors").addHandler(self.errors)
        self.bot: Harness | None = None

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    @initialize()
    def setup(self) -> None:
        self.bot = self.run(Harness(Path(self.tmp.name), admin_ids=(ADMIN,)).start())
        bot = self.bot
        t = self.run(bot.tree())
        self.run(bot.member(MEMBER, "会员甲", t["group1"]))
        self.run(bot.member(OFFICER, "干部乙", t["branch1"], role="officer"))
        self.run(bot.member(ADMIN, "主席", t["company"]))
        bot.user(NEWCOMER, "新人")

    def teardown(self) -> None:
        if self.bot is not None:
            self.run(self.bot.stop())
        logging.getLogger("handlers.errors").removeHandler(self.errors)
        self.loop.close()
        self.tmp.cleanup()

    # --- the answer check ---------------------------------------------------------------

    def _state(self, user_id: int) -> tuple[int, int, int]:
        assert self.bot is not None
        msgs = self.bot.core.messages_for(user_id)
        answered = sum(1 for a in self.bot.core.callback_answers(user_id=user_id))
        return len(msgs), sum(m.edit_count for m in msgs), answered

    def _expect_answer(self, user_id: int, before: tuple[int, int, int]) -> None:
        after = self._state(user_id)
        assert after != before, f"user {user_id} got no visible answer"

    # --- rules ---------------------------------------------------------------------------

    @rule(who=st.sampled_from(PEOPLE), text=_visible_text())
    def type_text(self, who: int, text: str) -> None:
        assert self.bot is not None
        before = self._state(who)
        self.run(self.bot.send(who, text))
        self._expect_answer(who, before)

    @rule(who=st.sampled_from(PEOPLE), command=st.sampled_from(COMMANDS))
    def command(self, who: int, command: str) -> None:
        assert self.bot is not None
        before = self._state(who)
        self.run(self.bot.send(who, command))
        self._expect_answer(who, before)

    @rule(who=st.sampled_from(PEOPLE), data=st.data())
    def press_current(self, who: int, data: st.DataObject) -> None:
        assert self.bot is not None
        msgs = [m for m in self.bot.messages(who) if m.buttons]
        if not msgs:
            return
        buttons = [b for b in msgs[-1].buttons if "callback_data" in b]
        if not buttons:
            return
        button = data.draw(st.sampled_from(buttons))
        before = self._state(who)
        self.run(self.bot.press_data(who, str(button["callback_data"]), msgs[-1].message_id))
        self._expect_answer(who, before)

    @rule(who=st.sampled_from(PEOPLE), data=st.data())
    def press_stale(self, who: int, data: st.DataObject) -> None:
        assert self.bot is not None
        msgs = [m for m in self.bot.messages(who) if m.buttons]
        if len(msgs) < 2:
            return
        msg = data.draw(st.sampled_from(msgs[:-1]))
        button = data.draw(st.sampled_from(msg.buttons))
        if "callback_data" not in button:
            return
        before = self._state(who)
        self.run(self.bot.press_data(who, str(button["callback_data"]), msg.message_id))
        self._expect_answer(who, before)

    @rule(
        who=st.sampled_from(PEOPLE),
        ns=FORGED_PARTS,
        rest=st.lists(
            st.text(alphabet=string.ascii_lowercase + string.digits + "-", max_size=6), max_size=4
        ),
    )
    def press_forged(self, who: int, ns: str, rest: list[str]) -> None:
        assert self.bot is not None
        msgs = self.bot.messages(who)
        if not msgs:
            return
        data = ":".join([ns, *rest])[:64] or "x"
        before = self._state(who)
        self.run(self.bot.press_data(who, data, msgs[-1].message_id))
        self._expect_answer(who, before)

    @rule(who=st.sampled_from(PEOPLE), kind=st.sampled_from(["photo", "sticker", "doc"]))
    def send_media(self, who: int, kind: str) -> None:
        assert self.bot is not None
        before = self._state(who)
        if kind == "photo":
            self.run(self.bot.photo(who))
        elif kind == "sticker":
            self.run(self.bot.sticker(who))
        else:
            self.run(self.bot.upload(who, "notes.txt", b"hello"))
        self._expect_answer(who, before)

    @precondition(lambda self: self.bot is not None)
    @rule()
    def restart(self) -> None:
        assert self.bot is not None
        self.run(self.bot.restart())

    @rule(hours=st.integers(min_value=1, max_value=24 * 8))
    def time_passes(self, hours: int) -> None:
        assert self.bot is not None
        self.bot.clock.advance(hours * 3600)

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def no_handler_raised(self) -> None:
        messages = [r.getMessage() for r in self.errors.records]
        assert not messages, messages

    @invariant()
    def database_is_consistent(self) -> None:
        if self.bot is not None:
            self.run(check_database(self.bot.db))


WholeBot.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestWholeBot = WholeBot.TestCase
