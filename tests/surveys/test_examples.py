"""The shipped example files load, round-trip and behave as their comments say."""

from __future__ import annotations

from datetime import datetime

import pytest

from surveys import (
    current_question,
    dump,
    dump_yaml,
    final_answers,
    is_complete,
    load_definition,
    parse_definition,
    start,
)

from .helpers import EXAMPLES, TZ, example, step

NAMES = ["canteen.yaml", "training_needs.yaml", "pulse_nps.yaml"]


def test_every_survey_example_is_tested() -> None:
    # The folder also holds other example kinds (a study plan); surveys have questions.
    surveys = [p.name for p in EXAMPLES.glob("*.yaml") if "\nquestions:" in p.read_text("utf-8")]
    assert sorted(surveys) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_loads_without_errors(name: str) -> None:
    result = load_definition((EXAMPLES / name).read_text(encoding="utf-8"), tz=TZ)
    assert not isinstance(result, list), [str(e) for e in result]


@pytest.mark.parametrize("name", NAMES)
def test_example_round_trips_through_dump(name: str) -> None:
    definition = example(name)
    assert parse_definition(dump(definition), tz=TZ) == definition
    assert load_definition(dump_yaml(definition), tz=TZ) == definition


def test_training_needs_ends_for_members_who_do_not_want_training() -> None:
    definition = example("training_needs.yaml")
    progress = step(definition, start(definition, "m1"), "willing", False)
    assert is_complete(definition, progress)
    assert final_answers(definition, progress) == {"willing": False}


def test_training_needs_shows_skills_group_only_to_technical_roles() -> None:
    definition = example("training_needs.yaml")
    progress = step(definition, start(definition, "m1"), "willing", True)
    progress = step(definition, progress, "role", "technical")
    question = current_question(definition, progress)
    assert question is not None and question.id == "skill_topics"
    progress = step(definition, progress, "skill_topics", ["cnc"])
    progress = step(definition, progress, "certificate", False)
    question = current_question(definition, progress)
    assert question is not None and question.id == "format"  # certificate_level skipped


def test_training_needs_management_skips_skills() -> None:
    definition = example("training_needs.yaml")
    progress = step(definition, start(definition, "m1"), "willing", True)
    progress = step(definition, progress, "role", "management")
    question = current_question(definition, progress)
    assert question is not None and question.id == "management_topics"


def test_example_dates_count_from_the_upload_in_the_default_time_zone() -> None:
    now = datetime(2026, 12, 8, 10, 30, tzinfo=TZ)
    canteen = load_definition((EXAMPLES / "canteen.yaml").read_text("utf-8"), tz=TZ, now=now)
    pulse = load_definition((EXAMPLES / "pulse_nps.yaml").read_text("utf-8"), tz=TZ, now=now)
    assert not isinstance(canteen, list) and not isinstance(pulse, list)
    assert canteen.opens_at is not None and canteen.closes_at is not None
    assert canteen.opens_at.isoformat() == "2026-12-08T00:00:00+08:00"
    # "+14d" closes at the end of that day, as a bare date does.
    assert canteen.closes_at.isoformat() == "2026-12-23T00:00:00+08:00"
    assert pulse.closes_at is not None
    assert pulse.closes_at.isoformat() == "2026-12-15T18:00:00+08:00"
