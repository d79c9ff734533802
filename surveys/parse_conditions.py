"""Reading show_if / end_if conditions from YAML data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from surveys.model import OPERATORS, AllOf, AnyOf, Compare, Condition, Not, Scalar
from surveys.reader import Reader, join

CONDITION_DEPTH_MAX = 8
CONDITION_NODES_MAX = 100
COMBINATORS = ("all", "any", "not")


@dataclass
class ConditionReader(Reader):
    """Reads conditions; ``nodes`` bounds the size of each one."""

    nodes: int = 0
    too_complex: bool = False

    def condition_field(self, raw: dict[Any, Any], key: str, path: str) -> Condition | None:
        if raw.get(key) is None:
            return None
        self.nodes = 0
        self.too_complex = False
        return self.condition(raw[key], join(path, key), 0)

    def condition(self, raw: object, path: str, depth: int) -> Condition | None:
        if not self.spend(path):
            return None
        self.nodes += 1
        if depth > CONDITION_DEPTH_MAX or self.nodes > CONDITION_NODES_MAX:
            # YAML aliases can make a small file describe a huge or cyclic condition tree.
            if not self.too_complex:
                self.add("condition_too_complex", path)
            self.too_complex = True
            return None
        m = self.mapping(raw, path)
        if m is None:
            return None
        combinators = [k for k in COMBINATORS if k in m]
        if combinators:
            return self.combination(m, path, depth, combinators)
        operators = [op for op in OPERATORS if op in m]
        allowed = ("question", *OPERATORS)
        if not self.fields(m, path, allowed, ("question",)):
            return None
        if len(operators) != 1:
            self.add(
                "condition_operator",
                path,
                allowed=", ".join(OPERATORS),
                found=", ".join(operators) or "-",
            )
            return None
        question = m["question"]
        if not isinstance(question, str):
            self.add("not_text", f"{path}.question")
            return None
        op = operators[0]
        value = self.operand(m[op], f"{path}.{op}", op)
        if value is None:
            return None
        return Compare(question=question, operator=op, value=value)

    def combination(
        self, m: dict[Any, Any], path: str, depth: int, combinators: list[str]
    ) -> Condition | None:
        if len(combinators) > 1 or len(m) > 1:
            extra = next(str(k) for k in m if k != combinators[0])
            self.add("unknown_field", join(path, extra), field=extra, allowed=combinators[0])
            return None
        kind = combinators[0]
        where = f"{path}.{kind}"
        if kind == "not":
            inner = self.condition(m["not"], where, depth + 1)
            return None if inner is None else Not(inner)
        entries = m[kind]
        if not isinstance(entries, list):
            self.add("not_a_list", where)
            return None
        if not entries:
            self.add("empty", where)
            return None
        parts = [self.condition(e, f"{where}[{i + 1}]", depth + 1) for i, e in enumerate(entries)]
        if any(p is None for p in parts):
            return None
        kept = tuple(p for p in parts if p is not None)
        return AllOf(kept) if kind == "all" else AnyOf(kept)

    def operand(self, raw: object, path: str, op: str) -> Scalar | tuple[Scalar, ...] | None:
        if op in ("answered", "skipped"):
            if isinstance(raw, bool):
                return raw
            self.add("not_a_boolean", path)
            return None
        if op == "one_of":
            if not isinstance(raw, list):
                self.add("not_a_list", path)
                return None
            if not raw:
                self.add("empty", path)
                return None
            scalars = [self.operand(v, f"{path}[{i + 1}]", "equals") for i, v in enumerate(raw)]
            if any(s is None or isinstance(s, tuple) for s in scalars):
                return None
            return tuple(s for s in scalars if s is not None and not isinstance(s, tuple))
        if op == "equals":
            if isinstance(raw, str | bool | int):
                return raw
            if isinstance(raw, float) and math.isfinite(raw):
                return raw
            self.add("not_text", path)
            return None
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            return raw
        self.add("not_a_number", path)
        return None
