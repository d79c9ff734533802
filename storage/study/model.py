"""Study plan rows as dataclasses, and the SQL fragments that say who a plan reaches."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row
from storage.rows import from_row

#: Plan states members can see (a draft is only the uploading officer's preview).
VISIBLE = ("active", "paused", "ended")

# Units in a plan's audience, sub-units included (named parameter :plan).
_AUDIENCE_UNITS = """
    WITH RECURSIVE aud(id) AS (
        SELECT unit_id FROM study_audience WHERE plan_id = :plan
        UNION SELECT u.id FROM units u JOIN aud ON u.parent_id = aud.id)
"""
# Verified members a plan reaches (named parameter :plan), after _AUDIENCE_UNITS.
_AUDIENCE_MEMBERS = """
    SELECT m.id, m.name, m.unit_id FROM members m
    WHERE m.status = 'verified'
      AND ((SELECT everyone FROM study_plans WHERE id = :plan) = 1
           OR m.unit_id IN (SELECT id FROM aud))
"""
# The member's unit and its ancestors (named parameter :member).
_MEMBER_UNITS = """
    WITH RECURSIVE up(id) AS (
        SELECT unit_id FROM members WHERE id = :member AND unit_id IS NOT NULL
        UNION SELECT u.parent_id FROM units u JOIN up ON u.id = up.id
        WHERE u.parent_id IS NOT NULL)
"""
# Plan p is visible to the member: not a draft, and everyone or a unit of theirs is named.
_VISIBLE_TO_MEMBER = """
    p.state IN ('active', 'paused', 'ended')
    AND (SELECT status FROM members WHERE id = :member) = 'verified'
    AND (p.everyone = 1 OR EXISTS (
        SELECT 1 FROM study_audience a
        WHERE a.plan_id = p.id AND a.unit_id IN (SELECT id FROM up)))
"""


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """A plan as stored."""

    id: int
    code: str
    title: str
    description: str | None
    schedule: str
    starts_on: str | None
    everyone: bool
    state: str
    anchor_at: float | None
    created_by: int | None
    created_at: float
    started_at: float | None
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class NewLesson:
    """A lesson to store; quiz is the JSON of a survey definition."""

    title: str
    body: str
    link: str | None = None
    document: str | None = None
    quiz: str | None = None


@dataclass(frozen=True, slots=True)
class StudyLesson:
    """A lesson as stored."""

    id: int
    plan_id: int
    position: int
    title: str
    body: str
    link: str | None
    document: str | None
    document_file_id: str | None
    quiz: str | None
    released_at: float | None


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """A member a plan reaches."""

    id: int
    name: str | None
    unit_id: int | None


@dataclass(frozen=True, slots=True)
class QuizState:
    """A member's attempt at one lesson's quiz."""

    started_at: float
    finished_at: float | None
    correct: int | None
    total: int | None


@dataclass(frozen=True, slots=True)
class QuizResult:
    """A finished quiz, for reports."""

    member_id: int
    lesson_id: int
    correct: int
    total: int


def _plan(row: Row) -> StudyPlan:
    return from_row(StudyPlan, row, everyone=bool(row["everyone"]))


def _lesson(row: Row) -> StudyLesson:
    return from_row(StudyLesson, row)
