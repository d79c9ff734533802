"""`make outdated` lists only the project's own dependencies, and flags a new major."""

from __future__ import annotations

from bot.outdated import declared, report


def test_every_declared_dependency_has_an_upper_bound() -> None:
    for name, requirement in declared().items():
        assert any(s.operator == "<" for s in requirement.specifier), name


def test_report_lists_declared_packages_and_says_when_the_bound_keeps_one_out() -> None:
    pip_says = [
        {"name": "openpyxl", "version": "3.1.5", "latest_version": "4.0.0"},
        {"name": "PyYAML", "version": "6.0.1", "latest_version": "6.0.4"},
        {"name": "numpy", "version": "1.26.0", "latest_version": "2.0.0"},
    ]
    lines = report(pip_says, declared())
    assert len(lines) == 2
    assert lines[0].startswith("openpyxl") and "new major" in lines[0]
    assert lines[1].startswith("PyYAML") and "new major" not in lines[1]
