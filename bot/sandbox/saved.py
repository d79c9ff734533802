"""What the sandbox remembers between runs, as JSON beside its database."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class SandboxFiles:
    """The sandbox's files, all in the folder of the configured database."""

    database: Path
    state: Path
    log: Path

    @classmethod
    def beside(cls, database_path: Path) -> SandboxFiles:
        """data/unionbot.sqlite3 -> data/sandbox.sqlite3, sandbox.state.json, sandbox.log."""
        return cls(
            database_path.with_name("sandbox.sqlite3"),
            database_path.with_name("sandbox.state.json"),
            database_path.with_name("sandbox.log"),
        )

    def load_state(self) -> dict[str, Any]:
        """The saved state, or {} on a first run (or when the file is unreadable)."""
        try:
            data = json.loads(self.state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_state(self, state: dict[str, Any]) -> None:
        """Write the state atomically: a crash leaves the old file or the new one."""
        self.state.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.state)

    def remove(self) -> list[Path]:
        """Delete the database (with its -wal and -shm) and the state; the removed paths."""
        removed = []
        for path in (
            self.database,
            self.database.with_name(self.database.name + "-wal"),
            self.database.with_name(self.database.name + "-shm"),
            self.state,
        ):
            if path.exists():
                path.unlink()
                removed.append(path)
        return removed
