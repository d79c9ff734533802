"""Pure task rules: report contents, named numbers, shown state and which notice is due."""

from __future__ import annotations

from surveys.tasks import (
    DAY,
    Report,
    Requires,
    board_counts,
    missing,
    notices_due,
    parse_number_names,
    parse_reminder_days,
    shown_state,
    split_figures,
)

DUE = 1_000_000.0


def test_named_numbers_come_out_of_the_text_and_the_rest_stays() -> None:
    figures, rest = split_figures(
        "检查两次。\n参加人数：35\n覆盖班组数 = 4\n其他：7", ["参加人数", "覆盖班组数"]
    )
    assert figures == {"参加人数": 35, "覆盖班组数": 4}
    assert rest == "检查两次。\n其他：7"


def test_number_names_are_checked() -> None:
    assert parse_number_names("参加人数，覆盖班组数、参加人数") == ("参加人数", "覆盖班组数")
    assert isinstance(parse_number_names(" , "), str)
    assert isinstance(parse_number_names("人数:总"), str)
    assert isinstance(parse_number_names(",".join(str(i) for i in range(9))), str)


def test_missing_lists_what_the_report_lacks() -> None:
    needs = Requires(text=True, photo=True, numbers=("参加人数",))
    assert missing(needs, Report()) == [
        "a written report",
        "at least one photo",
        "some content",
        "参加人数",
    ]
    assert missing(needs, Report(texts=1, photos=1, figures={"参加人数": 3})) == []
    assert missing(Requires(text=False), Report()) == ["some content"]


def test_overdue_only_while_a_report_is_owed() -> None:
    assert shown_state("received", DUE, DUE + 1) == "overdue"
    assert shown_state("submitted", DUE, DUE + 1) == "submitted"
    assert shown_state("new", DUE, DUE) == "new"
    counts = board_counts(["new", "overdue", "overdue"])
    assert list(counts) == ["new", "received", "submitted", "accepted", "returned", "overdue"]
    assert counts["overdue"] == 2 and counts["accepted"] == 0


def test_one_notice_at_a_time_and_never_twice() -> None:
    def due(now: float, sent: tuple[str, ...] = ()) -> list[str]:
        return notices_due("new", DUE, now, reminder_days=(3, 1), grace_hours=48, sent=sent)

    assert due(DUE - 4 * DAY) == []
    assert due(DUE - 2 * DAY) == ["remind:3"]
    assert due(DUE - 2 * DAY, ("remind:3",)) == []
    assert due(DUE - 0.5 * DAY, ("remind:3",)) == ["remind:1"]
    # Down for a week: the overdue notice and the escalation, not a pile of reminders.
    assert due(DUE + 3 * DAY) == ["overdue", "escalate"]
    assert notices_due("submitted", DUE, DUE + 3 * DAY, reminder_days=(1,), grace_hours=0) == []
    assert parse_reminder_days("1, 3,x,99") == (3, 1)
