"""The update processor: members served at once are bounded, one member's queue waits alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_processor import PerChatUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, f"member {user_id}", is_bot=False)
    chat = Chat(user_id, "private")
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def _handled(done: list[int], update_id: int, gate: asyncio.Event | None = None) -> None:
    if gate is not None:
        await gate.wait()
    done.append(update_id)


async def _settle() -> None:
    """Let every runnable task run until none makes progress (no sleeps, no clocks)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_busy_members_queue_does_not_delay_another_member() -> None:
    processor = PerChatUpdateProcessor(4)
    done: list[int] = []
    slow = asyncio.Event()
    # Member A: a slow first update (an export), then four quick taps queued behind it.
    tasks = [asyncio.create_task(processor.process_update(_update(1, 7), _handled(done, 1, slow)))]
    tasks += [
        asyncio.create_task(processor.process_update(_update(n, 7), _handled(done, n)))
        for n in range(2, 6)
    ]
    await _settle()
    # Member B taps once while A's export still runs.
    tasks.append(asyncio.create_task(processor.process_update(_update(9, 8), _handled(done, 9))))
    await _settle()
    try:
        assert done == [9], "member B waited behind member A's queue"
    finally:
        slow.set()
        await asyncio.gather(*tasks)
    assert done == [9, 1, 2, 3, 4, 5]


async def test_one_members_updates_are_handled_in_the_order_they_came() -> None:
    processor = PerChatUpdateProcessor(4)
    done: list[int] = []
    gate = asyncio.Event()
    tasks = [
        asyncio.create_task(
            processor.process_update(_update(n, 7), _handled(done, n, gate if n == 1 else None))
        )
        for n in range(1, 6)
    ]
    await _settle()
    assert done == []
    gate.set()
    await asyncio.gather(*tasks)
    assert done == [1, 2, 3, 4, 5]


async def test_no_more_members_are_served_at_once_than_there_are_slots() -> None:
    processor = PerChatUpdateProcessor(2)
    done: list[int] = []
    gate = asyncio.Event()
    tasks = [
        asyncio.create_task(processor.process_update(_update(n, 100 + n), _handled(done, n, gate)))
        for n in range(1, 5)
    ]
    await _settle()
    assert processor.serving == 2
    gate.set()
    await asyncio.gather(*tasks)
    assert sorted(done) == [1, 2, 3, 4]
    assert processor.serving == 0
