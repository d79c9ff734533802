"""The shipped systemd units and the deployment guide call commands the CLI really has."""

from __future__ import annotations

import argparse
import configparser
import re
from pathlib import Path

from bot.__main__ import _parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _subcommands() -> set[str]:
    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text("utf-8"))
    return parser


def test_every_unionbot_command_in_the_guide_and_units_exists() -> None:
    texts = [p.read_text("utf-8") for p in DEPLOY.iterdir()] + [
        (ROOT / "docs" / "deploy.md").read_text("utf-8")
    ]
    command = re.compile(r"(?:bin/unionbot|unionbotctl|`unionbot) ([a-z][a-z-]+)")
    used = {m for text in texts for m in command.findall(text)}
    assert {"run", "backup", "doctor", "migrate"} <= used
    assert used <= _subcommands(), used - _subcommands()


def test_the_service_restarts_on_failure_but_not_after_a_configuration_error() -> None:
    service = _unit("unionbot.service")["Service"]
    assert service["ExecStart"].endswith("/unionbot run")
    assert service["User"] == "unionbot" and service["EnvironmentFile"].endswith("/.env")
    assert service["Restart"] == "on-failure"
    # The CLI's contract: exit code 2 is a configuration error, which a restart cannot fix.
    assert service["RestartPreventExitStatus"] == "2"


def test_the_backup_timer_starts_a_backup() -> None:
    timer = _unit("unionbot-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    backup = _unit("unionbot-backup.service")["Service"]
    assert "unionbot backup" in backup["ExecStart"] and backup["User"] == "unionbot"
