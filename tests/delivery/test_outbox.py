"""The outbox tables: leases, fair claiming, lifecycle (storage only, real SQLite)."""

from __future__ import annotations

from storage import members, outbox, outbox_leases
from storage.db import Database
from storage.outbox_leases import Outcome


async def _members(db: Database, count: int) -> list[int]:
    ids = []
    for user_id in range(500, 500 + count):
        ids.append((await members.touch(db, user_id, user_id, "zh_CN", 1.0)).id)
    return ids


async def _broadcast(db: Database, ids: list[int], *, priority: int = 0, due: float = 0.0) -> int:
    async with db.transaction() as tx:
        return await outbox.create(
            tx,
            kind="announce",
            payload="{}",
            member_ids=ids,
            due_at=due,
            now=0.0,
            priority=priority,
        )


async def test_two_owners_never_lease_the_same_row_until_a_lease_expires(db: Database) -> None:
    ids = await _members(db, 10)
    await _broadcast(db, ids + ids[:3])  # duplicates in the list become one row each
    async with db.transaction() as tx:
        a = await outbox_leases.claim(tx, "a", 100.0, 130.0, 6)
    async with db.transaction() as tx:
        b = await outbox_leases.claim(tx, "b", 101.0, 131.0, 6)
    assert len(a) == 6 and len(b) == 4
    assert not {r.id for r in a} & {r.id for r in b}
    async with db.transaction() as tx:
        assert await outbox_leases.claim(tx, "b", 120.0, 150.0, 10) == []
    # "a" crashed: after its lease ran out, "b" takes its rows over...
    async with db.transaction() as tx:
        taken = await outbox_leases.claim(tx, "b", 131.0, 161.0, 10)
    assert {r.id for r in taken} == {r.id for r in a}
    # ...and a late result from "a" no longer counts.
    late = [Outcome(r.id, r.member_id, "sent", 0, 1, message_id=1) for r in a]
    async with db.transaction() as tx:
        assert await outbox_leases.record(tx, "a", late, 132.0) == 0
    assert await outbox_leases.renew(db, "a", [r.id for r in a], 200.0) == set()
    assert await outbox_leases.renew(db, "b", [r.id for r in a], 200.0) == {r.id for r in a}


async def test_claims_are_shared_across_broadcasts_by_priority(db: Database) -> None:
    ids = await _members(db, 40)
    big = await _broadcast(db, ids)
    urgent = await _broadcast(db, ids, priority=1)
    small = await _broadcast(db, ids[:2])
    async with db.transaction() as tx:
        rows = await outbox_leases.claim(tx, "a", 10.0, 40.0, 12)
    per = {b: sum(1 for r in rows if r.broadcast_id == b) for b in (big, urgent, small)}
    # Weights 1 : 2 : 1 of 12, the small one's unused share goes to the others.
    assert per[small] == 2 and per[urgent] >= 2 * per[big] - 1 and sum(per.values()) == 12
    # Interleaved, so the small broadcast is not at the end of the local queue.
    assert rows[-1].broadcast_id != small


async def test_pause_cancel_and_finish(db: Database) -> None:
    ids = await _members(db, 4)
    bid = await _broadcast(db, ids)
    assert await outbox.set_state(db, bid, "paused", only_from=("scheduled", "sending"))
    async with db.transaction() as tx:
        assert await outbox_leases.claim(tx, "a", 10.0, 40.0, 10) == []
    assert await outbox.resume(db, bid)
    async with db.transaction() as tx:
        rows = await outbox_leases.claim(tx, "a", 10.0, 40.0, 2)
    assert await outbox.cancel(db, bid, 11.0)
    # A row handed back after the cancel is cancelled, never pending again.
    back = [Outcome(rows[0].id, rows[0].member_id, "pending", 0, 0, due_at=11.0)]
    sent = [Outcome(rows[1].id, rows[1].member_id, "sent", 0, 1, message_id=7)]
    async with db.transaction() as tx:
        assert await outbox_leases.record(tx, "a", back + sent, 12.0) == 2
    counts = await outbox.counts(db, bid)
    assert counts.by_state == {"cancelled": 3, "sent": 1}
    other = await _broadcast(db, ids)
    async with db.transaction() as tx:
        rows = await outbox_leases.claim(tx, "a", 20.0, 50.0, 10)
    assert await outbox.finish(db, 21.0) == []
    done = [Outcome(r.id, r.member_id, "sent", 0, 1, message_id=1) for r in rows]
    async with db.transaction() as tx:
        await outbox_leases.record(tx, "a", done, 22.0)
    assert await outbox.finish(db, 23.0) == [other]
    assert (await outbox.get(db, other)).state == "done"  # type: ignore[union-attr]


async def test_scheduled_broadcasts_wait_for_their_time(db: Database) -> None:
    ids = await _members(db, 3)
    bid = await _broadcast(db, ids, due=1000.0)
    async with db.transaction() as tx:
        assert await outbox_leases.claim(tx, "a", 999.0, 1029.0, 10) == []
    assert await outbox.next_due(db, 999.0) == 1000.0
    assert await outbox.reschedule(db, bid, 2000.0)
    async with db.transaction() as tx:
        assert await outbox_leases.claim(tx, "a", 1500.0, 1529.0, 10) == []
        assert len(await outbox_leases.claim(tx, "a", 2000.0, 2029.0, 10)) == 3
    assert not await outbox.reschedule(db, bid, 3000.0)  # started: too late to move


async def test_a_large_batch_of_sent_results_is_recorded_row_by_row(db: Database) -> None:
    # More results than one statement takes: every row gets its own message id and chat.
    ids = await _members(db, 320)
    bid = await _broadcast(db, ids)
    async with db.transaction() as tx:
        rows = await outbox_leases.claim(tx, "a", 10.0, 40.0, 400)
    assert len(rows) == 320
    done = [
        Outcome(r.id, r.member_id, "sent", 1, 1, message_id=1000 + n, chat_id=r.chat_id)
        for n, r in enumerate(rows)
    ]
    stolen = rows[-1]  # its lease went to "b": a's late result must not count
    await db.execute("UPDATE outbox SET lease_owner = 'b' WHERE id = ?", (stolen.id,))
    async with db.transaction() as tx:
        assert await outbox_leases.record(tx, "a", done, 12.0) == 319
    assert (await outbox.counts(db, bid)).by_state == {"sent": 319, "sending": 1}
    for n, r in enumerate(rows[:-1]):
        row = await db.fetchone(
            "SELECT message_id, chat_id, sent_at FROM outbox WHERE id = ?", (r.id,)
        )
        assert row is not None and tuple(row) == (1000 + n, r.chat_id, 12.0)
