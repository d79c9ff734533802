"""`make outdated`: the project's own dependencies that have a newer release than installed."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def declared(path: Path = PYPROJECT) -> dict[str, Requirement]:
    """Runtime and optional dependencies from pyproject.toml, by canonical name."""
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {canonicalize_name(r.name): r for r in map(Requirement, specs)}


def report(outdated: list[dict[str, str]], wanted: dict[str, Requirement]) -> list[str]:
    """One line per declared dependency that is behind; says when the bound keeps it out."""
    lines = []
    for item in sorted(outdated, key=lambda i: canonicalize_name(i["name"])):
        requirement = wanted.get(canonicalize_name(item["name"]))
        if requirement is None:
            continue
        latest = Version(item["latest_version"])
        note = "" if requirement.specifier.contains(latest) else "  (outside the bound: new major)"
        name, installed = item["name"], item["version"]
        lines.append(f"{name:<24} {installed:>12} -> {latest!s:<12} {requirement}{note}")
    return lines


def main() -> int:
    """Ask pip which installed packages are behind and print the project's own."""
    raw = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--outdated", "--format=json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = report(json.loads(raw or "[]"), declared())
    print("\n".join(lines) if lines else "All declared dependencies are up to date.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
