"""Hypothesis strategies: random valid survey definitions and answers that fit them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from surveys.model import (
    AllOf,
    AnyOf,
    ChoiceQuestion,
    Compare,
    Condition,
    Definition,
    Group,
    Item,
    MultipleChoice,
    Not,
    Number,
    Operator,
    Option,
    Question,
    Scale,
    SingleChoice,
    Text,
    YesNo,
)

LETTERS = "abcdef"


@st.composite
def leaf_conditions(draw: st.DrawFn, earlier: list[Question]) -> Condition:
    """A test on one of the ``earlier`` questions with a value that fits it."""
    target = draw(st.sampled_from(earlier))
    generic = draw(st.integers(0, 2)) == 0
    if generic or isinstance(target, Text):
        presence: list[Operator] = ["answered", "skipped"]
        return Compare(target.id, draw(st.sampled_from(presence)), draw(st.booleans()))
    if isinstance(target, ChoiceQuestion):
        ids = [o.id for o in target.options]
        if draw(st.booleans()):
            return Compare(target.id, "equals", draw(st.sampled_from(ids)))
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        return Compare(target.id, "one_of", tuple(chosen))
    if isinstance(target, YesNo):
        return Compare(target.id, "equals", draw(st.booleans()))
    assert isinstance(target, Scale | Number)
    low = int(target.min) if target.min is not None else -5
    high = int(target.max) if target.max is not None else 5
    numeric: list[Operator] = ["equals", "greater_than", "less_than", "at_least", "at_most"]
    return Compare(target.id, draw(st.sampled_from(numeric)), draw(st.integers(low, high)))


@st.composite
def conditions(draw: st.DrawFn, earlier: list[Question], depth: int = 2) -> Condition:
    """Leaves combined with all / any / not, up to ``depth`` levels."""
    kind = draw(st.integers(0, 5)) if depth > 0 else 0
    if kind <= 2:
        return draw(leaf_conditions(earlier))
    if kind == 5:
        return Not(draw(conditions(earlier, depth - 1)))
    size = draw(st.integers(1, 3))
    inner = tuple(draw(conditions(earlier, depth - 1)) for _ in range(size))
    return AllOf(inner) if kind == 3 else AnyOf(inner)


@st.composite
def questions(draw: st.DrawFn, qid: str, earlier: list[Question]) -> Question:
    kind = draw(st.sampled_from(["single", "multiple", "scale", "yes_no", "text", "number"]))
    common: dict[str, Any] = {
        "id": qid,
        "title": f"问题 {qid}",
        "required": draw(st.booleans()),
        "show_if": draw(st.none() | conditions(earlier)) if earlier else None,
    }
    question: Question
    if kind in ("single", "multiple"):
        count = draw(st.integers(1, 4))
        options = [Option(id=LETTERS[i], label=f"选项{i}") for i in range(count)]
        if draw(st.booleans()):
            options.append(Option(id="other", label="其他", other=True))
        shuffle = draw(st.booleans())
        if kind == "single":
            question = SingleChoice(**common, options=tuple(options), shuffle=shuffle)
        else:
            least = draw(st.integers(1, len(options)))
            most = draw(st.integers(least, len(options)))
            question = MultipleChoice(
                **common,
                options=tuple(options),
                shuffle=shuffle,
                min_selections=least,
                max_selections=most,
            )
    elif kind == "scale":
        low, high = draw(st.sampled_from([(1, 5), (0, 10), (1, 3)]))
        question = Scale(**common, min=low, max=high)
    elif kind == "yes_no":
        question = YesNo(**common)
    elif kind == "text":
        question = Text(**common, max_length=draw(st.integers(1, 20)))
    else:
        bottom = draw(st.none() | st.integers(-5, 0))
        top = draw(st.none() | st.integers(1, 5))
        question = Number(**common, min=bottom, max=top, integer=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        # end_if may test the question itself as well as earlier ones.
        question = replace(question, end_if=draw(conditions([*earlier, question])))
    return question


@st.composite
def definitions(draw: st.DrawFn, max_questions: int = 8) -> Definition:
    """A valid definition: conditions only ever refer to questions asked earlier."""
    total = draw(st.integers(1, max_questions))
    asked: list[Question] = []
    items: list[Item] = []
    while len(asked) < total:
        if asked and draw(st.integers(0, 3)) == 0:
            size = draw(st.integers(1, min(3, total - len(asked))))
            show_if = draw(st.none() | conditions(list(asked)))
            inner = []
            for _ in range(size):
                question = draw(questions(f"q{len(asked) + 1}", list(asked)))
                asked.append(question)
                inner.append(question)
            items.append(Group(id=f"g{len(items) + 1}", show_if=show_if, questions=tuple(inner)))
        else:
            question = draw(questions(f"q{len(asked) + 1}", list(asked)))
            asked.append(question)
            items.append(question)
    return Definition(id="prop", title="性质测试", questions=tuple(items))


@st.composite
def valid_values(draw: st.DrawFn, question: Question) -> object:
    """An answer the question must accept."""
    if isinstance(question, SingleChoice):
        option = draw(st.sampled_from(question.options))
        return {"option": option.id, "text": "说明"} if option.other else option.id
    if isinstance(question, MultipleChoice):
        chosen = draw(
            st.lists(
                st.sampled_from([o.id for o in question.options]),
                min_size=question.least,
                max_size=question.most,
                unique=True,
            )
        )
        if any(question.option(c).other for c in chosen):  # type: ignore[union-attr]
            return {"options": chosen, "text": "说明"}
        return chosen
    if isinstance(question, Scale):
        return draw(st.integers(question.min, question.max))
    if isinstance(question, YesNo):
        return draw(st.booleans())
    if isinstance(question, Text):
        return draw(st.text(alphabet="ab中文", min_size=1, max_size=question.max_length))
    assert isinstance(question, Number)
    low = question.min if question.min is not None else -100
    high = question.max if question.max is not None else 100
    if question.integer:
        return draw(st.integers(int(low), int(high)))
    return draw(st.floats(low, high, allow_nan=False))


any_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-20, 20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.sampled_from(["a", "b", "c", "other", "x"]), max_size=4),
    st.fixed_dictionaries({"option": st.sampled_from(["a", "other"]), "text": st.text(max_size=5)}),
)

# YAML-shaped junk: what safe_load can return for any input.
yamlish = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=5)
    ),
    max_leaves=25,
)
