"""The layers point one way: a walk over every import keeps them so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> top-level modules it must never import
FORBIDDEN = {
    "surveys": {"telegram", "aiosqlite", "bot", "handlers", "storage", "sqlite3"},
    "storage": {"telegram", "bot", "handlers"},
    "handlers": {"aiosqlite", "sqlite3"},
}

#: package -> modules (and everything under them) it must never import: handlers are
#: wired by bot/, so importing the wiring back would make a cycle and hide a dependency.
FORBIDDEN_MODULES = {
    "handlers": {"bot.app", "bot.scheduler", "bot.sandbox", "bot.__main__"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(path: Path) -> set[str]:
    """Full dotted names imported, with `from bot import app` read as bot.app."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _forbidden_modules(path: Path, banned: set[str]) -> list[str]:
    return sorted(
        m for m in _modules(path) if any(m == b or m.startswith(b + ".") for b in banned)
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_forbidden_layers(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & FORBIDDEN[package])}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imports(path) & FORBIDDEN[package]
    ]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_MODULES))
def test_package_does_not_import_the_wiring(package: str) -> None:
    banned = FORBIDDEN_MODULES[package]
    offenders = [
        f"{path.relative_to(ROOT)} imports {found}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (found := _forbidden_modules(path, banned))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_wiring_rule_sees_every_import_form(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from bot import app\nimport bot.scheduler\n"
        "def f():\n    from bot.sandbox.core import SandboxCore\n"
        "from bot import charts\nfrom bot.application import x\n",
        encoding="utf-8",
    )
    banned = FORBIDDEN_MODULES["handlers"]
    found = _forbidden_modules(module, banned)
    assert {"bot.app", "bot.sandbox.core", "bot.scheduler"} <= set(found)
    assert not [m for m in found if "charts" in m or "application" in m]


def test_sql_lives_only_in_storage() -> None:
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM")
    offenders = []
    for package in ("handlers", "surveys"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(text)):
                is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
                if is_text and any(
                    str(node.value).lstrip().upper().startswith(k) for k in keywords  # type: ignore[attr-defined]
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")  # type: ignore[attr-defined]
    assert not offenders, "SQL outside storage/: " + ", ".join(offenders)
