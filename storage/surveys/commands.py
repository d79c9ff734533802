"""Officer actions on surveys: each checks, changes and writes its audit row in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storage import audit, dialogs, mixing, outbox
from storage.db import Database, Executor
from storage.dialogs import Dialog
from storage.sealing import Sealer
from storage.surveys import queries as store
from storage.surveys import responses

#: Outbox kinds; the engine re-checks each row just before sending (see handlers/surveys).
KIND_INVITE = "survey_invite"
KIND_REMINDER = "survey_reminder"
#: The step a survey wizard (upload, builder) is at once its draft is stored.
SAVED = "saved"


@dataclass(frozen=True, slots=True)
class Draft:
    """A survey as an upload or the builder made it, ready to be stored as a draft."""

    slug: str
    title: str
    definition: str
    anonymous: bool
    allow_edit: bool
    opens_at: float | None
    closes_at: float | None
    unit_ids: tuple[int, ...]


async def _audit(
    db: Executor, actor: int | None, action: str, now: float, survey_id: int, **details: object
) -> None:
    """The audit row of an officer's action on one survey."""
    await audit.record(
        db, actor, action, now, target_type="survey", target_id=survey_id, details=details
    )


async def save_draft(
    db: Database,
    actor: int,
    draft: Draft,
    how: Literal["survey_upload", "survey_build"],
    now: float,
    *,
    dialog_of: tuple[int, str] | None = None,
) -> int | None:
    """Store a draft (replacing the actor's draft with the same slug); None if it is taken.

    `dialog_of` (Telegram id, dialog kind): the wizard that made it moves to its SAVED step
    in the same transaction, so a crash before the officer is told is told on their next
    message; the handler closes the dialog once the survey's screen is shown.
    """
    async with db.transaction() as tx:
        existing = await store.by_slug(tx, draft.slug)
        if existing is not None and existing.state != "draft":
            return None
        survey_id = await store.save_draft(
            tx, slug=draft.slug, title=draft.title, definition=draft.definition,
            anonymous=draft.anonymous, allow_edit=draft.allow_edit, opens_at=draft.opens_at,
            closes_at=draft.closes_at, unit_ids=draft.unit_ids, created_by=actor, now=now,
        )  # fmt: skip
        details = {"slug": draft.slug} if how == "survey_upload" else {}
        await _audit(tx, actor, how, now, survey_id, **details)
        if dialog_of is not None:
            telegram_id, kind = dialog_of
            await dialogs.save(tx, telegram_id, Dialog(kind, SAVED, {"sid": survey_id}), now)
    return survey_id


async def set_audience(
    db: Database, actor: int, survey_id: int, unit_ids: Sequence[int], now: float
) -> bool:
    """Choose who answers a draft; False when it is no longer a draft."""
    async with db.transaction() as tx:
        if not await _in_state(tx, survey_id, "draft"):
            return False
        await store.set_audience(tx, survey_id, unit_ids)
        await _audit(tx, actor, "survey_audience", now, survey_id, units=list(unit_ids))
    return True


async def schedule(db: Database, actor: int, survey_id: int, moment: float, now: float) -> bool:
    """Publish a draft with an audience later; False when that is no longer possible."""
    async with db.transaction() as tx:
        if not await _in_state(tx, survey_id, "draft") or not await store.audience(tx, survey_id):
            return False
        await store.schedule(tx, survey_id, moment)
        await _audit(tx, actor, "survey_schedule", now, survey_id, publish_at=moment)
    return True


async def unschedule(db: Database, actor: int, survey_id: int, now: float) -> bool:
    """Back to a draft; False when it was not scheduled."""
    async with db.transaction() as tx:
        if not await store.unschedule(tx, survey_id):
            return False
        await _audit(tx, actor, "survey_unschedule", now, survey_id)
    return True


async def delete_draft(db: Database, actor: int, survey_id: int, now: float) -> bool:
    """Delete a draft; False when it is no longer one."""
    async with db.transaction() as tx:
        if not await store.delete_draft(tx, survey_id):
            return False
        await _audit(tx, actor, "survey_delete", now, survey_id)
    return True


async def publish(
    db: Database, actor: int | None, survey_id: int, invitation: str, now: float
) -> int | None:
    """Freeze the recipients, open the survey and queue `invitation` (payload JSON) to each.

    Returns how many were invited, or None when it was not a draft or scheduled any more.
    `actor` None is the survey job publishing at the scheduled time.
    """
    async with db.transaction() as tx:
        unit_ids = await store.audience(tx, survey_id)
        recipients = await store.audience_members(tx, unit_ids)
        if not await store.publish(tx, survey_id, recipients, now):
            return None
        await outbox.create(
            tx, kind=KIND_INVITE, payload=invitation, member_ids=[m for m, _u in recipients],
            due_at=now, now=now, created_by=actor, ref=str(survey_id),
        )  # fmt: skip
        await _audit(
            tx, actor, "survey_publish", now, survey_id, units=unit_ids, recipients=len(recipients)
        )
    return len(recipients)


async def close(db: Database, actor: int | None, survey_id: int, now: float) -> bool:
    """Stop taking answers now; unfinished answers are dropped, never counted."""
    async with db.transaction() as tx:
        closed = await store.close(tx, survey_id, now)
        if closed:
            await _audit(tx, actor, "survey_close", now, survey_id)
    return closed


async def remind(
    db: Database, actor: int | None, survey_id: int, most: int, reminder: str, now: float
) -> int | None:
    """Queue `reminder` to those who have not answered; None when the allowance is used up."""
    async with db.transaction() as tx:
        if not await store.count_reminder(tx, survey_id, most, now):
            return None
        targets = await store.non_respondents(tx, survey_id)
        if targets:
            await outbox.create(
                tx, kind=KIND_REMINDER, payload=reminder, member_ids=targets, due_at=now,
                now=now, created_by=actor, ref=str(survey_id),
            )  # fmt: skip
        # A count only: who was reminded is the delivery engine's business, not the log's.
        await _audit(tx, actor, "survey_remind", now, survey_id, recipients=len(targets))
    return len(targets)


async def record_export(db: Database, actor: int, survey_id: int, rows: int, now: float) -> None:
    """Every export is recorded (docs/privacy): who took which responses out."""
    await _audit(db, actor, "survey_export", now, survey_id, rows=rows)


async def _in_state(db: Executor, survey_id: int, state: str) -> bool:
    survey = await store.get(db, survey_id)
    return survey is not None and survey.state == state


@dataclass(frozen=True, slots=True)
class Submission:
    """A member's final answers to one survey."""

    survey_id: int
    member_id: int
    answers: dict[str, Any]
    unit_id: int | None
    day: str
    #: Replacing the member's earlier named answers (surveys that allow changing them).
    editing: bool = False


async def submit(
    db: Database, sealer: Sealer | None, submission: Submission, *, anonymous: bool, now: float
) -> bool:
    """Store a member's answers once; False when they had submitted already.

    Anonymous answers are sealed into the mixing pool and join the results at the next
    release; named ones are stored (or replace the member's earlier ones) at once.
    """
    s = submission
    async with db.transaction() as tx:
        if anonymous:
            return await mixing.submit_answer(
                tx, sealer, s.survey_id, s.member_id, answers=s.answers, unit_id=s.unit_id
            )
        store_named = responses.replace_named if s.editing else responses.submit
        return await store_named(
            tx, s.survey_id, s.member_id, answers=s.answers, unit_id=s.unit_id, day=s.day, now=now
        )
