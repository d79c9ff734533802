"""What officers read about tasks: cards, report drafts, the board; and the route table type."""

from __future__ import annotations

import html
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translate, format_when
from handlers.routing import Routes
from storage.tasks import Assignment, Part, Task
from surveys.tasks import Requires, board_counts, shown_state

#: A unit's assignment with its task, as the buttons on it find them.
Assigned = tuple[Task, Assignment]

#: Callback namespace of every task button.
NS = "tk"
#: Dialog kinds: the creation wizard, a unit's report, a return comment.
KIND_NEW = "task_new"
KIND_REPORT = "task_report"
KIND_RETURN = "task_return"
#: Most units listed by name on one board screen (the rest are counted).
BOARD_LINES = 40
#: Report text shown on the review screen before it is cut (the Excel export has it whole).
EXCERPT = 2500

STATE_LABELS = {
    "new": N_("Not received"),
    "received": N_("Received"),
    "submitted": N_("Reported"),
    "accepted": N_("Accepted"),
    "returned": N_("Returned"),
    "overdue": N_("Overdue"),
}
STATE_ICONS = {
    "new": "⚪",
    "received": "🔵",
    "submitted": "🟡",
    "accepted": "🟢",
    "returned": "🟠",
    "overdue": "🔴",
}
RESULTS = {
    "forbidden": N_("Sorry, you are not allowed to do that."),
    "stale": N_("This button is out of date. Please use the latest message."),
    "late": N_("The due time has passed and this task does not accept late reports."),
}

#: Every task button; the officer menu is the way in, so officers are the default.
routes = Routes(NS, need="officer")


def state_label(_: Translate, state: str) -> str:
    """A shown state with its colour dot."""
    return f"{STATE_ICONS.get(state, '')} {_(STATE_LABELS.get(state, state))}"


def requires_text(_: Translate, requires: Requires) -> str:
    """What a report must contain, in words."""
    items = []
    if requires.text:
        items.append(_("written report"))
    if requires.photo:
        items.append(_("photos"))
    if requires.file:
        items.append(_("a file"))
    items += [f"“{html.escape(n)}”" for n in requires.numbers]
    return _(", ").join(items) if items else _("anything")


def task_card(_: Translate, task: Task, tz: ZoneInfo, *, body: bool = True) -> str:
    """Title, due time, what to report, late rule, repeat, then the instructions."""
    lines = [
        _("📌 <b>{title}</b>", title=task.title),
        _("Due: {when}", when=format_when(task.due_at, _.locale, tz)),
        _("Report: {what}", what=_raw(requires_text(_, task.requires))),
        _("Late reports accepted") if task.late_ok else _("Late reports not accepted"),
    ]
    if task.repeat:
        lines.append(_("Repeats: {schedule}", schedule=task.repeat))
    if task.state != "open":
        lines.append(_("⏹ Ended"))
    text = "\n".join(lines)
    return f"{text}\n\n{task.body}" if body else text


def draft_text(_: Translate, requires: Requires, a: Assignment, parts: Sequence[Part]) -> str:
    """The report so far: counts, numbers and what is still missing."""
    kinds = [p.kind for p in parts]
    lines = [
        _(
            "📝 Report so far: {texts} texts, {photos} photos, {files} files.",
            texts=kinds.count("text"),
            photos=kinds.count("photo"),
            files=kinds.count("file"),
        )
    ]
    lines += [f"• {html.escape(k)}：{v}" for k, v in a.figures.items()]
    wanted = [n for n in requires.numbers if n not in a.figures]
    if wanted:
        names = _(", ").join(html.escape(n) for n in wanted)
        lines.append(_("Numbers still missing: {names}", names=_raw(names)))
    return "\n".join(lines)


def report_body(parts: Sequence[Part], limit: int = EXCERPT) -> str:
    """The report's texts joined, escaped and cut to fit a screen."""
    text = "\n\n".join(p.content for p in parts if p.kind == "text")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def board_text(
    _: Translate, task: Task, assignments: Sequence[Assignment], tz: ZoneInfo, now: float
) -> str:
    """Counts per shown state, then each unit with its state."""
    shown = [(a, shown_state(a.state, task.due_at, now)) for a in assignments]
    counts = board_counts(s for _a, s in shown)
    summary = " · ".join(f"{state_label(_, s)} {n}" for s, n in counts.items())
    lines = [task_card(_, task, tz, body=False), "", _("<b>Progress</b>"), summary, ""]
    for a, state in shown[:BOARD_LINES]:
        lines.append(f"{STATE_ICONS[state]} {html.escape(a.unit_name)} · {_(STATE_LABELS[state])}")
    if len(shown) > BOARD_LINES:
        lines.append(_("… and {count} more units", count=len(shown) - BOARD_LINES))
    return "\n".join(lines)


def _raw(text: str) -> object:
    """Already-escaped HTML for a placeholder."""
    from bot.i18n import raw

    return raw(text)
