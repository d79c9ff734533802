"""python -m benchmarks <scenario> [flags]: run a benchmark; each prints JSON lines.

Not tests: they measure. Add a scenario by adding an async function taking the
remaining command-line arguments to SCENARIOS.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from benchmarks import delivery, scale, updates

Scenario = Callable[[list[str]], Coroutine[Any, Any, None]]

#: name -> async function(argv); `all` runs every one with default flags.
SCENARIOS: dict[str, Scenario] = {
    "delivery": delivery.main,
    "updates": updates.main,
    "scale": scale.main,
}


def main(argv: list[str] | None = None) -> int:
    """Run the named scenario (or all of them)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("scenarios: " + ", ".join(sorted(SCENARIOS)) + ", all")
        return 0 if args else 2
    name, rest = args[0], args[1:]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if name == "all":
        for each in SCENARIOS.values():
            asyncio.run(each(rest))
        return 0
    scenario = SCENARIOS.get(name)
    if scenario is None:
        print(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}", file=sys.stderr)
        return 2
    asyncio.run(scenario(rest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
