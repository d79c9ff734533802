"""Study plans: the YAML format (lessons, quizzes, schedule); points rules: study_progress."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from surveys.dates import relative_day
from surveys.errors import N_, ParamValue, ValidationError
from surveys.model import (
    SURVEY_ID_MAX,
    TITLE_MAX,
    ChoiceQuestion,
    Definition,
)
from surveys.parse import ERRORS_MAX, parse_definition, read_yaml
from surveys.quiz import is_scored
from surveys.reader import Reader, join
from surveys.schedule import Schedule, parse_schedule
from surveys.validate import is_valid_id

PLAN_FIELDS = ("id", "title", "description", "audience", "schedule", "start", "lessons")
ADDITION_FIELDS = ("plan", "lessons")
LESSON_FIELDS = ("title", "text", "link", "document", "quiz")
QUIZ_TYPES = ("single", "multiple", "yes_no")
#: A lesson screen adds a header (plan and lesson titles) and status lines; 3300 keeps the
#: whole message under Telegram's 4096 characters.
LESSON_TEXT_MAX = 3300
LESSONS_MAX = 200
QUIZ_QUESTIONS_MAX = 20
URL_MAX = 1000
DOCUMENT_NAME_MAX = 100
DESCRIPTION_MAX = 1000

#: Tags Telegram accepts with parse_mode HTML (https://core.telegram.org/bots/api#html-style).
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
     "blockquote", "tg-spoiler", "span", "tg-emoji"}
)  # fmt: skip
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<&]")
_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_URL = re.compile(r"(https?|tg)://[^\s<>\"]+\Z")
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f]+\Z")

MESSAGES = {
    "not_a_date": N_("Expected a date such as 2026-03-02, today, or +7d."),
    "not_a_url": N_("Expected a web address starting with https://."),
    "bad_file_name": N_(
        "'{value}' is not a file name: give a web address (https://…) or the name of a file "
        "you send after the plan, such as 党章.pdf."
    ),
    "html_tag": N_(
        "The tag <{tag}> cannot be used. Telegram allows b, i, u, s, a, code, pre, "
        "blockquote and tg-spoiler; use a new line instead of <br> or <p>."
    ),
    "html_unclosed": N_("The tag <{tag}> is opened but never closed."),
    "html_stray_close": N_("The closing tag </{tag}> has no matching opening tag."),
    "html_href": N_('A link needs an address: <a href="https://…">text</a>.'),
    "html_char": N_("Write a plain '<' as &lt; and a plain '&' as &amp;."),
    "quiz_type": N_("A quiz question must be of type single, multiple or yes_no, not '{type}'."),
    "quiz_group": N_("Quizzes cannot contain groups; list the questions directly."),
    "quiz_condition": N_("Quiz questions cannot use show_if or end_if."),
    "quiz_no_correct": N_("A quiz question needs the correct answer ('correct:')."),
    "quiz_no_explanation": N_(
        "A quiz question needs an explanation ('explanation:'); members see it after answering."
    ),
    "quiz_other": N_("A quiz question cannot have an 'other, please specify' option."),
    "plan_kind": N_(
        "This is neither a study plan (with id, title, schedule and lessons) nor "
        "additional lessons (with plan and lessons)."
    ),
}


def study_error(code: str, path: str, **params: ParamValue) -> ValidationError:
    """A validation error whose message is in this module's table."""
    return ValidationError(code, path, MESSAGES[code], params)


@dataclass(frozen=True, kw_only=True)
class Lesson:
    """One lesson: HTML text, optional link and document, optional quiz."""

    title: str
    text: str
    link: str | None = None
    # A web address, or the name of a file the officer sends after uploading the plan.
    document: str | None = None
    quiz: Definition | None = None

    @property
    def document_is_url(self) -> bool:
        """Whether the document is fetched by Telegram from the web."""
        return self.document is not None and _URL.match(self.document) is not None


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A complete study plan as uploaded."""

    id: str
    title: str
    schedule: Schedule
    lessons: tuple[Lesson, ...]
    description: str | None = None
    audience: tuple[str | int, ...] = ()
    start: date | None = None


@dataclass(frozen=True, kw_only=True)
class Additions:
    """Lessons appended to a running plan."""

    plan: str | None
    lessons: tuple[Lesson, ...]


def load_plan_file(
    yaml_text: str, *, tz: tzinfo, now: datetime | None = None
) -> Plan | Additions | list[ValidationError]:
    """Parse an upload: a whole plan, or additional lessons when it names ``plan:``."""
    data, problems = read_yaml(yaml_text)
    if problems:
        return problems
    # A file naming its plan, or holding nothing but lessons (what ➕ Add lessons asks for).
    if isinstance(data, dict) and "id" not in data and ("plan" in data or set(data) == {"lessons"}):
        return parse_additions(data, tz=tz)
    if isinstance(data, dict) and not {"id", "title", "lessons"} & set(data):
        return [study_error("plan_kind", "")]
    return parse_plan(data, tz=tz, now=now)


def parse_plan(
    data: object, *, tz: tzinfo, now: datetime | None = None
) -> Plan | list[ValidationError]:
    """Build a plan from loaded YAML, or every problem in it; "start: today" counts from now."""
    reader = _PlanReader(tz, now)
    raw = reader.mapping(data, "")
    if raw is None:
        return reader.errors
    reader.fields(raw, "", PLAN_FIELDS, ("id", "title", "schedule", "lessons"))
    plan_id = reader.text(raw.get("id", ""), "id") or ""
    if "id" in raw and plan_id and not is_valid_id(plan_id, SURVEY_ID_MAX):
        reader.add("invalid_id", "id", value=plan_id, limit=SURVEY_ID_MAX)
    title = reader.bounded(raw, "title", "", TITLE_MAX, required=True)
    description = reader.bounded(raw, "description", "", DESCRIPTION_MAX)
    audience = reader.audience(raw)
    schedule: Schedule | None = None
    if "schedule" in raw:
        parsed = parse_schedule(raw["schedule"], tz)
        if isinstance(parsed, ValidationError):
            reader.errors.append(parsed)
        else:
            schedule = parsed
    start = reader.day(raw.get("start"), "start")
    lessons = reader.lessons(raw.get("lessons"), "lessons") if "lessons" in raw else ()
    if reader.errors or schedule is None:
        return reader.errors[:ERRORS_MAX]
    return Plan(
        id=plan_id,
        title=title or "",
        description=description,
        audience=audience,
        schedule=schedule,
        start=start,
        lessons=lessons,
    )


def parse_additions(data: object, *, tz: tzinfo) -> Additions | list[ValidationError]:
    """Lessons to append to a plan; ``plan`` names it (optional when uploaded from its screen)."""
    reader = _PlanReader(tz)
    raw = reader.mapping(data, "")
    if raw is None:
        return reader.errors
    reader.fields(raw, "", ADDITION_FIELDS, ("lessons",))
    plan_id = reader.text(raw["plan"], "plan") if raw.get("plan") is not None else None
    lessons = reader.lessons(raw.get("lessons"), "lessons") if "lessons" in raw else ()
    if reader.errors:
        return reader.errors[:ERRORS_MAX]
    return Additions(plan=plan_id or None, lessons=lessons)


class _PlanReader(Reader):
    """The survey reader plus the fields only study plans have."""

    def bounded(
        self, raw: dict[Any, Any], key: str, path: str, limit: int, *, required: bool = False
    ) -> str | None:
        value = self.optional_text(raw, key, path) if key in raw else None
        where = join(path, key)
        if value is None:
            if required and key in raw:
                self.add("empty", where)
            return None
        if len(value) > limit:
            self.add("too_long", where, length=len(value), limit=limit)
        return value

    def audience(self, raw: dict[Any, Any]) -> tuple[str | int, ...]:
        if raw.get("audience") is None:
            return ()
        units = raw["audience"]
        if isinstance(units, str | int) and not isinstance(units, bool):
            units = [units]  # one unit need not be written as a list
        if not isinstance(units, list):
            self.add("not_a_list", "audience")
            return ()
        if not units:
            self.add("empty", "audience")
        found: list[str | int] = []
        for index, unit in enumerate(units):
            if isinstance(unit, int) and not isinstance(unit, bool):
                found.append(unit)
            elif isinstance(unit, str) and unit.strip():
                found.append(unit.strip())
            else:
                self.add("not_text", f"audience[{index + 1}]")
        return tuple(found)

    def day(self, raw: object, path: str) -> date | None:
        if raw is None:
            return None
        if isinstance(raw, date) and not isinstance(raw, datetime):
            return raw
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw.strip())
            except ValueError:
                day = relative_day(raw, self.upload_time())
                if day is not None:
                    return day
        self.errors.append(study_error("not_a_date", path))
        return None

    def lessons(self, raw: object, path: str) -> tuple[Lesson, ...]:
        entries = self.items(raw, path, lambda entry, index: self.lesson(entry, path, index))
        if isinstance(raw, list) and not raw:
            self.add("empty", path)
        if len(entries) > LESSONS_MAX:
            self.add("too_many", path, count=len(entries), limit=LESSONS_MAX)
        return tuple(e for e in entries if e is not None)

    def lesson(self, entry: object, parent: str, index: int) -> Lesson | None:
        path = f"{parent}[{index + 1}]"
        if not self.spend(path):
            return None
        raw = self.mapping(entry, path)
        if raw is None:
            return None
        before = len(self.errors)
        self.fields(raw, path, LESSON_FIELDS, ("title", "text"))
        title = self.bounded(raw, "title", path, TITLE_MAX, required=True)
        text = self.bounded(raw, "text", path, LESSON_TEXT_MAX, required=True)
        if text is not None:
            problem = check_html(text, join(path, "text"))
            if problem is not None:
                self.errors.append(problem)
        link = self.url(raw, "link", path)
        document = self.document(raw, path)
        quiz = self.quiz(raw["quiz"], join(path, "quiz")) if raw.get("quiz") is not None else None
        if len(self.errors) > before or title is None or text is None:
            return None
        return Lesson(title=title, text=text, link=link, document=document, quiz=quiz)

    def url(self, raw: dict[Any, Any], key: str, path: str) -> str | None:
        value = self.optional_text(raw, key, path)
        if value is None:
            return None
        if len(value) > URL_MAX or _URL.match(value) is None:
            self.errors.append(study_error("not_a_url", join(path, key)))
            return None
        return value

    def document(self, raw: dict[Any, Any], path: str) -> str | None:
        value = self.optional_text(raw, "document", path)
        if value is None:
            return None
        where = join(path, "document")
        if value.lower().startswith(("http://", "https://")):
            return self.url(raw, "document", path)
        if len(value) > DOCUMENT_NAME_MAX or _FILE_NAME.match(value) is None:
            self.errors.append(study_error("bad_file_name", where, value=value[:40]))
            return None
        return value

    def quiz(self, raw: object, path: str) -> Definition | None:
        if not isinstance(raw, list):
            self.add("not_a_list", path)
            return None
        if not raw:
            self.add("empty", path)
            return None
        if len(raw) > QUIZ_QUESTIONS_MAX:
            self.add("too_many", path, count=len(raw), limit=QUIZ_QUESTIONS_MAX)
            return None
        start = len(self.errors)
        kept: list[object] = []
        positions: list[int] = []  # position in the file of each entry handed to the parser
        for index, entry in enumerate(raw):
            problems = _quiz_shape(entry, path, index)
            self.errors.extend(problems)
            if not any(p.code in _DROP for p in problems):
                kept.append(entry)
                positions.append(index + 1)
        if not kept:
            return None
        # The survey engine reads the questions, so quiz and survey questions share one format.
        parsed = parse_definition({"id": "quiz", "title": "quiz", "questions": kept}, tz=self.tz)
        if isinstance(parsed, list):
            self.errors.extend(_relocate(e, path, positions) for e in parsed)
            return None
        for question in parsed.by_id.values():
            if isinstance(question, ChoiceQuestion) and any(o.other for o in question.options):
                self.errors.append(study_error("quiz_other", f"{path}.{question.id}.options"))
        usable = all(is_scored(q) for q in parsed.by_id.values())
        return parsed if usable and len(self.errors) == start else None


#: Shape problems after which the survey parser is not even asked about the entry.
_DROP = frozenset({"quiz_group", "quiz_type", "quiz_condition"})


def _quiz_shape(entry: object, path: str, index: int) -> list[ValidationError]:
    """What a survey may have but a quiz may not, checked before the survey parser reads it."""
    if not isinstance(entry, dict):
        return []  # the parser reports it with its own wording
    raw_id = entry.get("id")
    where = (
        f"{path}.{raw_id}"
        if isinstance(raw_id, str) and is_valid_id(raw_id)
        else (f"{path}[{index + 1}]")
    )
    if "group" in entry:
        return [study_error("quiz_group", f"{path}[{index + 1}]")]
    kind = entry.get("type")
    if kind is not None and kind not in QUIZ_TYPES:
        return [study_error("quiz_type", join(where, "type"), type=str(kind))]
    if "show_if" in entry or "end_if" in entry:
        return [study_error("quiz_condition", where)]
    found: list[ValidationError] = []
    if entry.get("correct") is None:
        found.append(study_error("quiz_no_correct", join(where, "correct")))
    explanation = entry.get("explanation")
    if explanation is None or (isinstance(explanation, str) and not explanation.strip()):
        found.append(study_error("quiz_no_explanation", join(where, "explanation")))
    return found


_POSITION = re.compile(r"questions\[(\d+)\](.*)\Z", re.DOTALL)


def _relocate(error: ValidationError, path: str, positions: list[int]) -> ValidationError:
    """Rewrite a survey error's place (``q1.correct``, ``questions[2]``) into the plan file."""
    match = _POSITION.match(error.path)
    if error.path == "questions":
        where = path
    elif match is not None:
        index = int(match.group(1)) - 1
        original = positions[index] if 0 <= index < len(positions) else index + 1
        where = f"{path}[{original}]{match.group(2)}"
    else:
        where = join(path, error.path) if error.path else path
    return ValidationError(error.code, where, error.message, error.params)


def check_html(text: str, path: str) -> ValidationError | None:
    """The first reason Telegram would refuse this HTML, or None when it is fine."""
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        closing, tag, attrs, entity = match.group(1), match.group(2), match.group(3), match.group(4)
        if entity is not None:
            if not entity.startswith("#") and entity not in _ENTITIES:
                return study_error("html_char", path)
            continue
        if tag is None:
            return study_error("html_char", path)
        tag = tag.lower()
        if tag not in HTML_TAGS:
            return study_error("html_tag", path, tag=tag)
        if closing:
            if not stack or stack[-1] != tag:
                return study_error("html_stray_close", path, tag=tag)
            stack.pop()
            continue
        if tag == "a" and "href" not in attrs.lower():
            return study_error("html_href", path)
        stack.append(tag)
    if stack:
        return study_error("html_unclosed", path, tag=stack[-1])
    return None
