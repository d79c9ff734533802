"""The delivery engine on a fake clock against the in-process sandbox."""

from __future__ import annotations

import itertools

from bot.delivery import Delivery, Payload
from tests.delivery.conftest import Rig, max_in_window


async def test_every_member_gets_the_message_once_within_the_limits(rig: Rig) -> None:
    ids = await rig.people(120)
    engine = rig.engine()
    start = rig.clock.time()
    broadcast = await engine.enqueue(
        kind="announce", payload=Payload("<b>开会</b>通知"), member_ids=ids
    )
    await engine.drain(wait_due=True)
    assert rig.deliveries(1000, 120) == [1] * 120
    stats = await engine.stats(broadcast)
    assert (stats.state, stats.sent, stats.pending, stats.failed) == ("done", 120, 0, 0)
    times = rig.send_times()
    assert max_in_window(times) <= 25
    # Paced, not bursty: 120 messages at 25/s take about 4.8 s of (fake) time.
    assert 4.5 <= rig.clock.time() - start <= 6.0
    assert "429" not in rig.core.stats()["errors"]


async def test_429_pauses_everything_for_retry_after_and_retries_the_row(rig: Rig) -> None:
    from bot.sandbox.core import Faults

    ids = await rig.people(40)
    rig.core.faults = Faults(rate_limit_count=3, retry_after=3)
    engine = rig.engine()
    broadcast = await engine.enqueue(kind="announce", payload=Payload("hi"), member_ids=ids)
    await engine.drain(wait_due=True)
    assert rig.deliveries(1000, 40) == [1] * 40
    stats = await engine.stats(broadcast)
    assert stats.sent == 40 and stats.failed == 0
    rejected = [c.at for c in rig.core.calls if c.error_code == 429]
    assert len(rejected) == 3
    # Nothing was sent while the engine was told to wait.
    last = max(rejected)
    assert not [t for t in rig.send_times() if last < t < last + 3]


async def test_blocked_members_are_marked_and_skipped_until_they_write_again(rig: Rig) -> None:
    from bot.sandbox.core import Faults
    from storage import members

    ids = await rig.people(10)
    rig.core.faults = Faults(forbidden_users=frozenset({1003, 1007}))
    engine = rig.engine()
    first = await engine.enqueue(kind="announce", payload=Payload("one"), member_ids=ids)
    await engine.drain(wait_due=True)
    stats = await engine.stats(first)
    assert (stats.sent, stats.blocked, stats.failed) == (8, 2, 0)
    blocked = await members.by_telegram_id(rig.db, 1003)
    assert blocked is not None and blocked.unreachable
    calls_before = len(rig.core.calls)
    second = await engine.enqueue(kind="announce", payload=Payload("two"), member_ids=ids)
    await engine.drain(wait_due=True)
    stats = await engine.stats(second)
    assert (stats.sent, stats.blocked) == (8, 2)
    # The unreachable members cost no API call at all.
    assert len(rig.core.calls) - calls_before == 8
    # Member 1003 writes to the bot again: touch() makes them reachable.
    rig.core.faults = Faults()
    await members.touch(rig.db, 1003, 1003, "zh_CN", rig.clock.time())
    third = await engine.enqueue(kind="announce", payload=Payload("three"), member_ids=ids)
    await engine.drain(wait_due=True)
    assert (await engine.stats(third)).sent == 9
    assert rig.core.sent_count(1003) == 1


async def test_server_errors_are_retried_with_backoff_then_fail_with_the_reason(rig: Rig) -> None:
    from bot.sandbox.core import Faults

    ids = await rig.people(5)
    rig.core.faults = Faults(server_error_count=3, server_error_code=502)
    engine = rig.engine(max_attempts=4)
    ok = await engine.enqueue(kind="announce", payload=Payload("x"), member_ids=ids)
    await engine.drain(wait_due=True)
    assert rig.deliveries(1000, 5) == [1] * 5
    assert (await engine.stats(ok)).sent == 5
    # A server that keeps failing: each row gives up after max_attempts tries.
    rig.core.faults = Faults(server_error_probability=1.0)
    start = rig.clock.time()
    bad = await engine.enqueue(kind="announce", payload=Payload("y"), member_ids=ids[:2])
    await engine.drain(wait_due=True)
    stats = await engine.stats(bad)
    assert stats.failed == 2 and stats.failed_by_reason == {"network": 2}
    assert len([c for c in rig.core.calls if c.error_code == 500]) == 2 * 4
    # Backoff 2 + 4 + 8 s (with a little spread) passed between the first and last try.
    assert rig.clock.time() - start >= 14


async def test_pause_and_resume_never_resend_and_cancel_stops_the_rest(rig: Rig) -> None:
    from storage.db import Database

    ids = await rig.people(60)
    engine = rig.engine()
    seen: list[int] = []
    broadcast = 0

    async def pause_midway(db: Database, ref: str | None, member_id: int) -> bool:
        seen.append(member_id)
        if len(seen) == 20:
            await engine.pause(broadcast)
        return True

    engine.register_check("announce", pause_midway)
    broadcast = await engine.enqueue(kind="announce", payload=Payload("p"), member_ids=ids)
    await engine.drain(wait_due=True)
    stats = await engine.stats(broadcast)
    assert stats.state == "paused"
    assert 10 <= stats.sent < 30 and stats.pending == 60 - stats.sent
    assert max(rig.deliveries(1000, 60)) == 1
    await engine.resume(broadcast)
    await engine.drain(wait_due=True)
    stats = await engine.stats(broadcast)
    assert (stats.state, stats.sent) == ("done", 60)
    assert rig.deliveries(1000, 60) == [1] * 60
    # Cancel halfway through a second broadcast: the rest are never sent.
    seen.clear()
    engine.register_check("announce", lambda db, ref, m: _cancel_at(engine, seen, m))
    second = await engine.enqueue(kind="announce", payload=Payload("c"), member_ids=ids)
    _second.append(second)
    await engine.drain(wait_due=True)
    stats = await engine.stats(second)
    assert stats.state == "cancelled"
    assert stats.sent < 30 and stats.sent + stats.cancelled == 60 and stats.pending == 0
    assert sum(rig.deliveries(1000, 60)) == 60 + stats.sent


_second: list[int] = []


async def _cancel_at(engine: object, seen: list[int], member_id: int) -> bool:
    assert isinstance(engine, Delivery)
    seen.append(member_id)
    if len(seen) == 20:
        await engine.cancel(_second[-1])
    return True


async def test_a_small_broadcast_is_not_stuck_behind_a_big_one(rig: Rig) -> None:
    ids = await rig.people(305)
    engine = rig.engine()
    start = rig.clock.time()
    big = await engine.enqueue(kind="announce", payload=Payload("big"), member_ids=ids[5:])
    small = await engine.enqueue(
        kind="event_reminder", payload=Payload("small"), member_ids=ids[:5]
    )
    finished: dict[int, float] = {}

    async def note(stats: object) -> None:
        from bot.delivery import BroadcastStats

        assert isinstance(stats, BroadcastStats)
        if stats.finished and stats.id not in finished:
            finished[stats.id] = rig.clock.time() - start

    engine.add_listener("announce", note)
    engine.add_listener("event_reminder", note)
    engine.progress_interval = 0.5
    await engine.drain(wait_due=True)
    await engine.stop()
    assert (await engine.stats(big)).sent == 300
    assert (await engine.stats(small)).sent == 5
    # 300 rows at 25/s take 12 s; the small one shares the first claim and is out at once.
    small_sent = [t for chat in range(1000, 1005) for t in rig.send_times(chat)]
    assert max(small_sent) - start < 0.5
    assert finished[small] < 2.5 and finished[big] > 11.0


async def test_checks_skip_rows_and_texts_follow_the_member_language(rig: Rig) -> None:
    from storage.db import Database

    zh = await rig.people(3, start=1000)
    en = await rig.people(3, start=2000, language="en")
    engine = rig.engine()

    async def not_1001(db: Database, ref: str | None, member_id: int) -> bool:
        assert ref == "survey-7"
        return member_id != zh[1]

    engine.register_check("survey_invite", not_1001)
    payload = Payload(
        {"zh_CN": "请填写问卷", "en": "Please answer the survey"},
        buttons=[[{"label": {"zh_CN": "开始", "en": "Start"}, "data": "sv:go:{broadcast_id}"}]],
        ack=True,
    )
    broadcast = await engine.enqueue(
        kind="survey_invite", payload=payload, member_ids=zh + en, ref="survey-7"
    )
    await engine.drain(wait_due=True)
    stats = await engine.stats(broadcast)
    assert (stats.sent, stats.skipped) == (5, 1)
    assert rig.core.sent_count(1001) == 0
    chinese = rig.core.last_message(1000)
    english = rig.core.last_message(2000)
    assert chinese is not None and english is not None
    assert chinese.text == "请填写问卷" and english.text == "Please answer the survey"
    assert [b["text"] for b in chinese.buttons] == ["开始", "✅ 收到"]
    assert [b["text"] for b in english.buttons] == ["Start", "✅ Acknowledge"]
    assert chinese.buttons[0]["callback_data"] == f"sv:go:{broadcast}"
    assert chinese.buttons[1]["callback_data"] == f"dl:ack:{broadcast}"
    assert await engine.acknowledge(broadcast, zh[0])
    assert not await engine.acknowledge(broadcast, zh[0])
    assert (await engine.stats(broadcast)).acknowledged == 1


async def test_split_texts_arrive_in_order_a_second_apart(rig: Rig) -> None:
    ids = await rig.people(4)
    engine = rig.engine()
    payload = Payload("第一部分", continued=["第二部分", "第三部分"], ack=True)
    broadcast = await engine.enqueue(kind="announce", payload=payload, member_ids=ids)
    await engine.drain(wait_due=True)
    assert (await engine.stats(broadcast)).sent == 4
    for chat in range(1000, 1004):
        texts = [m.text for m in rig.core.messages_for(chat)]
        assert texts == ["第一部分", "第二部分", "第三部分"]
        assert [bool(m.buttons) for m in rig.core.messages_for(chat)] == [False, False, True]
        times = rig.send_times(chat)
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_two_broadcasts_to_the_same_members_respect_one_per_second_per_chat(
    rig: Rig,
) -> None:
    ids = await rig.people(6)
    engine = rig.engine()
    await engine.enqueue(kind="announce", payload=Payload("a"), member_ids=ids)
    await engine.enqueue(kind="announce", payload=Payload("b"), member_ids=ids)
    await engine.drain(wait_due=True)
    assert rig.deliveries(1000, 6) == [2] * 6
    for chat in range(1000, 1006):
        assert max_in_window(rig.send_times(chat)) == 1
    assert "429" not in rig.core.stats()["errors"]


async def test_a_local_photo_is_uploaded_once_then_sent_by_file_id(rig: Rig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.sandbox.core import TINY_PNG

    picture = tmp_path / "notice.png"
    picture.write_bytes(TINY_PNG)
    ids = await rig.people(8)
    engine = rig.engine()
    broadcast = await engine.enqueue(
        kind="announce", payload=Payload("<i>海报</i>", photo=str(picture)), member_ids=ids
    )
    await engine.drain(wait_due=True)
    assert (await engine.stats(broadcast)).sent == 8
    file_ids = set()
    for chat in range(1000, 1008):
        message = rig.core.last_message(chat)
        assert message is not None and message.kind == "photo" and message.text == "海报"
        assert message.photo is not None
        file_ids.add(message.photo[0]["file_id"])
    assert len(file_ids) == 1


async def test_two_engines_on_one_database_never_send_the_same_row(rig: Rig, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from storage.db import Database
    from tests.timers import VirtualTime

    ids = await rig.people(150)
    other_db = await Database.open(rig.db.path)
    # Two processes sleep independently on one fake clock: it moves once both wait.
    time = VirtualTime(rig.clock)

    async def run(engine: Delivery) -> None:
        async with time.running():
            await engine.drain()

    try:
        a = rig.engine(owner="a", timer=time.timer())
        b = rig.engine(owner="b", timer=time.timer())
        b._db = other_db
        b._writer._db = other_db
        work = {"a": 0, "b": 0}
        for name, e in (("a", a), ("b", b)):
            process = e._process

            async def counted(row, process=process, name=name):  # type: ignore[no-untyped-def]
                work[name] += 1
                return await process(row)

            e._process = counted  # type: ignore[method-assign]
        broadcast = await a.enqueue(kind="announce", payload=Payload("x"), member_ids=ids)
        # Both drain at once; no waiting for leases, only small steps for per-chat retries.
        for _ in range(100):
            await asyncio.gather(run(a), run(b))
            if (await a.stats(broadcast)).pending == 0:
                break
            rig.clock.advance(0.1)
        delivered = [
            c.params.get("chat_id")
            for c in rig.core.calls
            if c.method == "sendMessage" and c.error_code is None
        ]
        assert len(delivered) == len(set(delivered)) == 150
        assert work["a"] > 0 and work["b"] > 0
        assert rig.deliveries(1000, 150) == [1] * 150
        assert (await a.stats(broadcast)).sent == 150
    finally:
        await other_db.close()


async def test_rows_of_a_crashed_engine_are_sent_after_its_lease_expires(rig: Rig) -> None:
    ids = await rig.people(30)
    dead = rig.engine(owner="dead", lease_seconds=20.0)
    broadcast = await dead.enqueue(kind="announce", payload=Payload("x"), member_ids=ids)
    assert await dead._claim() > 0
    held = len(dead._buffer)
    alive = rig.engine(owner="alive", lease_seconds=20.0)
    await alive.drain()
    assert sum(rig.deliveries(1000, 30)) == 30 - held
    await alive.drain(wait_due=True)
    assert rig.deliveries(1000, 30) == [1] * 30
    assert (await alive.stats(broadcast)).state == "done"
