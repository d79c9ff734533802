"""Results in chat for officers: a summary, a bar chart per question, an Excel export.

Every figure goes through surveys.disclosure (via surveys.Aggregator for answers): blocks of at
least the anonymity threshold, the same for every viewer, of which an officer sees those wholly
inside their scope. So no officer's figures minus another's name a small group.
"""

from __future__ import annotations

import asyncio
import html
import time
from dataclasses import dataclass
from datetime import datetime

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot import charts, exports
from bot.exports import Cell
from bot.i18n import Translate
from bot.services import BotContext
from handlers.common import Caller, answer, send
from handlers.surveys.common import (
    WITHHELD,
    definition_of,
    participation,
    participation_line,
    scope_of,
    until,
    when,
    zone,
)
from handlers.surveys.screens import answer_text, number_text, short
from handlers.unit_picker import UnitTree
from storage import members
from storage.suggestions import next_release
from storage.surveys import commands, responses
from storage.surveys.queries import Survey
from surveys import (
    Aggregator,
    ChoiceQuestion,
    Definition,
    Question,
    Scale,
    SurveyResult,
    YesNo,
)
from surveys.disclosure import Line
from surveys.model import UnitKey
from surveys.results import (
    ChoiceResult,
    NumberResult,
    ScaleResult,
    TextResult,
    Visible,
    YesNoResult,
)

MESSAGE_BUDGET = 3800
#: CPU time an Excel export takes before resting as long for others' presses.
EXPORT_SLICE_SECONDS = 0.002
TEXTS_SHOWN = 20
TEXTS_KEPT = 500
#: Rendered choice answers remembered during an Excel export.
RENDERED_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Scoped:
    """Results for the officer's part of the audience, plus participation lines."""

    definition: Definition
    result: SurveyResult
    visible: Visible
    lines: tuple[Line[int | None], ...]
    units: list[int] | None
    tree: UnitTree
    #: Some of the officer's people are counted only in a pool reaching outside their scope.
    withheld: bool


async def scoped_result(context: BotContext, caller: Caller, survey: Survey) -> Scoped:
    """Aggregate the whole union's responses, then keep what the officer's scope may see."""
    db = context.db
    definition = definition_of(survey)
    scope = await scope_of(db, caller)
    unit_ids = None if scope is None else sorted(scope)
    threshold = context.settings.anonymity_threshold
    aggregator = Aggregator(definition, threshold=threshold, keep_texts=TEXTS_KEPT, texts_of=scope)
    # Pre-counted per (unit, question, answer): a few thousand add_answer calls, not one per
    # answer. Participation is counted meanwhile (SQLite works while Python decodes answers).
    # Every unit is read, not only the scope: disclosure blocks are the same for everyone.
    respondents, counts, part = await asyncio.gather(
        responses.unit_counts(db, survey.id, None),
        responses.answer_counts(db, survey.id, None),
        participation(db, caller, survey.id, threshold),
    )
    for unit_id, n in respondents.items():
        aggregator.add_respondents(n, unit_id)
    for row in counts:
        aggregator.add_answer(row.question_id, row.value, unit=row.unit_id, count=row.count)
    keyed: dict[UnitKey, UnitKey] = dict(part.tree.parents().items())
    result = aggregator.result(parents=keyed, scope=scope)
    return Scoped(
        definition,
        result,
        aggregator.visible(parents=keyed, scope=scope),
        part.lines,
        unit_ids,
        part.tree,
        result.withheld or part.withheld,
    )




def _line_name(_: Translate, tree: UnitTree, line: Line[int | None]) -> str:
    """A participation line's name: the unit, the unit with its sub-units, or "other units"."""
    if line.top is None:
        return _("Other units (pooled)")
    name = tree.path(line.top) if line.top in tree.by_id else _("(no unit)")
    return _("{unit} (with small sub-units pooled in)", unit=name) if line.pooled else name


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.0f}" if whole else "0"


def _question_block(_: Translate, number: int, question: Question, result: object) -> str:
    title = html.escape(short(question.title, 120), quote=False)
    head = f"<b>{number}. {title}</b>"
    if result is None:
        return head + "\n" + _("🔒 Too few answers to show.")
    lines = [head]
    if isinstance(result, ChoiceResult):
        lines.append(_("{count} answered", count=result.respondents))
        for option in result.options:
            label = html.escape(short(option.label, 40), quote=False)
            lines.append(f"• {label}: {option.count} ({option.percent:.0f}%)")
        for text in result.other_texts[:TEXTS_SHOWN]:
            lines.append("  ↳ " + html.escape(short(text, 150), quote=False))
    elif isinstance(result, ScaleResult):
        mean = f"{result.mean:.2f}" if result.mean is not None else "—"
        lines.append(_("{count} answered · average {mean}", count=result.respondents, mean=mean))
        lines.append(" · ".join(f"{v.value}: {v.count}" for v in result.distribution))
        if result.nps is not None:
            lines.append(_("NPS: {nps}", nps=round(result.nps)))
    elif isinstance(result, YesNoResult):
        lines.append(
            _(
                "Yes: {yes} ({yes_percent}%) · No: {no} ({no_percent}%)",
                yes=result.yes,
                no=result.no,
                yes_percent=round(result.yes_percent),
                no_percent=round(result.no_percent),
            )
        )
    elif isinstance(result, NumberResult):
        if result.mean is None:
            lines.append(_("{count} answered", count=result.respondents))
        else:
            lines.append(
                _(
                    "{count} answered · average {mean} · lowest {low} · highest {high}",
                    count=result.respondents,
                    mean=round(result.mean, 2),
                    low=number_text(result.minimum or 0),
                    high=number_text(result.maximum or 0),
                )
            )
    elif isinstance(result, TextResult):
        lines.append(_("{count} answered", count=result.respondents))
        for text in result.texts[:TEXTS_SHOWN]:
            lines.append("• " + html.escape(short(text, 200), quote=False))
        if len(result.texts) > TEXTS_SHOWN:
            lines.append(
                _("… and {count} more in the Excel file", count=len(result.texts) - TEXTS_SHOWN)
            )
    return "\n".join(lines)


async def _summary(context: BotContext, caller: Caller, survey: Survey) -> list[str]:
    """The summary as messages of at most ~3800 characters, split between blocks."""
    _ = caller._
    scoped = await scoped_result(context, caller, survey)
    result = scoped.result
    asked = sum(line.values[0] for line in scoped.lines)
    done = sum(line.values[1] for line in scoped.lines)
    head = [_("📊 <b>Results: {title}</b>", title=survey.title)]
    if asked or not scoped.withheld:
        head.append(participation_line(_, asked, done))
    if survey.closes_at is not None:
        head.append(_("Closes: {when}", when=until(_, survey.closes_at, zone(context))))
    if survey.anonymous:
        settings = context.settings
        slot = next_release(context.clock.time(), settings.anonymous_digest_times, settings.tz)
        release = when(_, slot, zone(context))
        head.append(_("🕓 Next release of anonymous items: {when}", when=release))
    # Participation per unit, small units pooled: "1/1" would say who answered.
    named = sorted((_line_name(_, scoped.tree, line), line) for line in scoped.lines)
    for name, line in named:
        whole, part = line.values[0], line.values[1]
        head.append(
            f"• {html.escape(name, quote=False)}: {part}/{whole} ({_percent(part, whole)}%)"
        )
    if scoped.withheld:
        head.append(_(WITHHELD))
    blocks = ["\n".join(head)]
    if result.hidden:
        blocks.append(
            _(
                "🔒 Answers are shown once at least {threshold} people have answered "
                "({count} so far).",
                threshold=result.threshold,
                count=result.respondents,
            )
        )
    else:
        for number, placed in enumerate(scoped.definition.placed, start=1):
            question = placed.question
            blocks.append(_question_block(_, number, question, result.questions.get(question.id)))
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block[:MESSAGE_BUDGET]
        if current and len(current) + len(block) + 2 > MESSAGE_BUDGET:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages


def _chart_data(
    _: Translate, question: Question, result: object
) -> tuple[list[str], list[float], list[str]] | None:
    if isinstance(result, ChoiceResult):
        return (
            [o.label for o in result.options],
            [float(o.count) for o in result.options],
            [f"{o.count} ({o.percent:.0f}%)" for o in result.options],
        )
    if isinstance(result, ScaleResult) and isinstance(question, Scale):
        return (
            [str(v.value) for v in result.distribution],
            [float(v.count) for v in result.distribution],
            [f"{v.count} ({v.percent:.0f}%)" for v in result.distribution],
        )
    if isinstance(result, YesNoResult) and isinstance(question, YesNo):
        return (
            [_("Yes (answer)"), _("No (answer)")],
            [float(result.yes), float(result.no)],
            [
                f"{result.yes} ({result.yes_percent:.0f}%)",
                f"{result.no} ({result.no_percent:.0f}%)",
            ],
        )
    return None


async def _charts(update: Update, context: BotContext, caller: Caller, survey: Survey) -> None:
    _ = caller._
    scoped = await scoped_result(context, caller, survey)
    if scoped.result.hidden:
        await send(
            update, context,
            _("🔒 Charts are drawn once at least {threshold} people have answered.",
              threshold=scoped.result.threshold),
        )  # fmt: skip
        return
    drawn = 0
    for number, placed in enumerate(scoped.definition.placed, start=1):
        question = placed.question
        result = scoped.result.questions.get(question.id)
        data = _chart_data(_, question, result) if result is not None else None
        if data is None:
            continue
        labels, values, notes = data
        title = f"{number}. {question.title}"
        png = await asyncio.to_thread(
            charts.bar_chart,
            title,
            labels,
            values,
            annotations=notes,
            xlabel=_("Number of members"),
        )
        caption = html.escape(short(title, 900), quote=False)
        await context.bot.send_photo(
            caller.member.chat_id, InputFile(png, filename=f"q{number}.png"),
            caption=caption, parse_mode=ParseMode.HTML,
        )  # fmt: skip
        drawn += 1
    if not drawn:
        await send(update, context, _("There is nothing to draw for this survey yet."))


def _cell(_: Translate, question: Question, value: object) -> Cell:
    if value is None:
        return None
    if isinstance(question, ChoiceQuestion | YesNo):
        return answer_text(_, question, value, False)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return answer_text(_, question, value, False)
    if isinstance(value, int | float | str):
        return value
    return str(value)


async def _export(update: Update, context: BotContext, caller: Caller, survey: Survey) -> None:
    """One row per response, one column per question; anonymous: no member, only the day."""
    _ = caller._
    db, tz = context.db, zone(context)
    scoped = await scoped_result(context, caller, survey)
    definition, unit_ids, seen = scoped.definition, scoped.units, scoped.visible
    threshold = scoped.result.threshold
    # A named survey's rows carry the member's name: pooling would protect nobody there, so
    # only the whole scope's size counts; an anonymous one exports what disclosure allows.
    if survey.anonymous:
        total = scoped.result.respondents
    else:
        total = await responses.count(db, survey.id, unit_ids)
    if total < threshold:
        await send(
            update, context,
            _("🔒 The export is available once at least {threshold} people have answered "
              "({count} so far).", threshold=threshold, count=total),
        )  # fmt: skip
        return
    questions = [p.question for p in definition.placed]
    titles = [f"{n}. {q.title}" for n, q in enumerate(questions, start=1)]
    fixed = [_("Day")] if survey.anonymous else [_("Name"), _("Unit"), _("Submitted at")]
    tree = scoped.tree
    # The same few choices repeat on every row: render each (question, option id) once. Only
    # choice and yes/no answers, and a bounded number, so memory does not grow with the rows.
    rendered: dict[tuple[str, type, object], Cell] = {}

    def cell(question: Question, value: object) -> Cell:
        if not isinstance(question, ChoiceQuestion | YesNo) or not isinstance(
            value, str | int | bool
        ):
            return _cell(_, question, value)
        key = (question.id, type(value), value)
        if key in rendered:
            return rendered[key]
        text = _cell(_, question, value)
        if len(rendered) < RENDERED_KEPT:
            rendered[key] = text
        return text

    folder, path = exports.temporary_path()
    slice_started = time.perf_counter()
    with folder:
        with exports.XlsxStream(path, [*fixed, *titles], sheet=_("Responses")) as sheet:
            async for batch in responses.iter_response_pages(db, survey.id, unit_ids):
                names: dict[int, str] = {}
                if not survey.anonymous:
                    names = await members.names(
                        db, [r.member_id for r in batch if r.member_id is not None]
                    )
                for response in batch:
                    if survey.anonymous and response.unit_id not in seen.responses:
                        continue  # pooled with units outside the officer's scope
                    cells: list[Cell]
                    if survey.anonymous:
                        cells = [response.day]
                    else:
                        moment = response.submitted_at
                        cells = [
                            names.get(response.member_id) if response.member_id else None,
                            tree.path(response.unit_id) if response.unit_id in tree.by_id else None,
                            datetime.fromtimestamp(moment, tz).replace(tzinfo=None)
                            if moment
                            else None,
                        ]
                    # A question's answer only where that question's block is shown: a
                    # free-text answer of one person is never in the file.
                    cells += [
                        cell(q, response.answers.get(q.id))
                        if not survey.anonymous or response.unit_id in seen.questions[q.id]
                        else None
                        for q in questions
                    ]
                    sheet.write_row(cells)
                    if time.perf_counter() - slice_started >= EXPORT_SLICE_SECONDS:
                        # Rest as long as we worked: a busy event loop also starves the
                        # database thread of the GIL, so merely yielding (sleep(0)) still
                        # left members' presses at a p99 of 700 ms during a 20,000-row
                        # export (fairness benchmark); resting keeps it near 100 ms, for
                        # an export about a quarter slower.
                        await asyncio.sleep(EXPORT_SLICE_SECONDS)
                        slice_started = time.perf_counter()
            # Zipping the sheet takes seconds at 100,000 rows: off the event loop.
            await asyncio.to_thread(sheet.close)
        content = path.read_bytes()
    await context.bot.send_document(
        caller.member.chat_id,
        InputFile(content, filename=f"{survey.slug}.xlsx"),
        caption=_(
            "📥 {count} responses to “{title}”.", count=total, title=short(survey.title, 200)
        ),
        parse_mode=ParseMode.HTML,
    )
    # Every export is recorded (docs/privacy): who took which responses out.
    await commands.record_export(db, caller.member.id, survey.id, total, context.clock.time())


async def on_button(
    update: Update, context: BotContext, caller: Caller, survey: Survey, action: str
) -> None:
    """svo:res / svo:chart / svo:xlsx, after surveys_officer checked can_view."""
    await answer(update, caller._("⏳ Working on it…"))
    if action == "res":
        for text in await _summary(context, caller, survey):
            await send(update, context, text)
    elif action == "chart":
        await _charts(update, context, caller, survey)
    else:
        await _export(update, context, caller, survey)
