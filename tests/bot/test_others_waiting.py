"""A long job rests only while someone else's updates are in flight (issue 17 point 3)."""

from __future__ import annotations

import asyncio

from telegram.ext import SimpleUpdateProcessor

from bot.update_processor import PerChatUpdateProcessor, others_waiting
from tests.bot.test_update_processor import _handled, _settle, _update


async def test_only_other_members_updates_count_as_waiting() -> None:
    processor = PerChatUpdateProcessor(4)
    done: list[int] = []
    export, others = asyncio.Event(), asyncio.Event()
    mine = _update(1, 7)
    tasks = [asyncio.create_task(processor.process_update(mine, _handled(done, 1, export)))]
    # The exporting member's own second tap waits behind the export: resting cannot help it.
    tasks.append(asyncio.create_task(processor.process_update(_update(2, 7), _handled(done, 2))))
    await _settle()
    assert not others_waiting(processor, mine)

    tasks.append(
        asyncio.create_task(processor.process_update(_update(3, 8), _handled(done, 3, others)))
    )
    await _settle()
    assert others_waiting(processor, mine)
    assert others_waiting(processor, _update(4, 8))  # member 8 sees member 7's export

    others.set()
    await _settle()
    assert not others_waiting(processor, mine)
    export.set()
    await asyncio.gather(*tasks)
    assert done == [3, 1, 2]


def test_another_processor_always_rests() -> None:
    assert others_waiting(SimpleUpdateProcessor(1), _update(1, 7))
