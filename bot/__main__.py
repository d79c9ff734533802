"""CLI: run (polling or webhook), sandbox, migrate, backup, doctor, check, translations."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import Settings, settings_or_exit
from bot.logs import install_redaction, setup_logging

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (the sandbox when no token is set)")
    sandbox = sub.add_parser("sandbox", help="run the bot against the local Bot API sandbox")
    for parser_ in (run, sandbox):
        parser_.add_argument(
            "--fresh", action="store_true", help="sandbox: forget the last run, seed anew"
        )
    sandbox.add_argument("--serve", action="store_true", help="headless: print the address")
    sandbox.add_argument("--port", type=int, default=0, help="port for --serve (default: any)")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("doctor", help="check configuration, database, Bot API and webhook")
    sub.add_parser("check", help="recount the kept aggregates from the raw rows; 0 when equal")
    backup = sub.add_parser("backup", help="copy the live database safely")
    backup.add_argument("path", type=Path)
    sub.add_parser("compile-translations", help="compile .po catalogs to .mo (pybabel compile)")
    sub.add_parser("i18n-check", help="list msgids missing from a catalog")
    sub.add_parser("i18n-fold", help="fold old per-feature .po files into messages.po")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `unionbot` script."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "compile-translations":
        from bot.i18n import compile_catalogs

        return compile_catalogs()
    if command == "i18n-check":
        return _i18n_check()
    if command == "i18n-fold":
        from bot.i18n_tools import fold_domains

        print(f"folded {len(fold_domains())} catalog files into messages.po")
        return 0
    if command == "doctor":
        return _doctor()
    settings = settings_or_exit()
    setup_logging(settings.log_level, [settings.token])
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "backup":
        return asyncio.run(_backup(settings, args.path))
    if command == "check":
        return asyncio.run(_check(settings))
    fresh = getattr(args, "fresh", False)
    if command == "sandbox" or (command == "run" and not settings.token):
        if command == "run":
            print("No TELEGRAM_BOT_TOKEN set: starting the local sandbox.", file=sys.stderr)
        from bot.sandbox_runner import run_sandbox

        return asyncio.run(
            run_sandbox(
                settings,
                serve=getattr(args, "serve", False),
                port=getattr(args, "port", 0),
                fresh=fresh,
            )
        )
    if fresh:
        print("--fresh resets the sandbox only; it never touches a real database.", file=sys.stderr)
        return 2
    return _run_telegram(settings)


def _run_telegram(settings: Settings) -> int:
    """Talk to Telegram: long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.runner import run_telegram

    return asyncio.run(run_telegram(settings))


def _doctor() -> int:
    """One line per check; a configuration that does not load is the first failed check."""
    from bot.config import ConfigError, load_settings
    from bot.doctor import run_doctor

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"✗ configuration: {exc} — fix: correct it in .env or the environment")
        return 1
    install_redaction([settings.token])
    return asyncio.run(run_doctor(settings))


async def _migrate(settings: Settings) -> int:
    from storage.db import Database, migrate, schema_version

    db = await Database.open(settings.database_path)
    try:
        applied = await migrate(db)
        print(f"schema version {await schema_version(db)}; applied: {', '.join(applied) or 'none'}")
    finally:
        await db.close()
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from storage.db import Database

    if not settings.database_path.exists():
        print(f"no database at {settings.database_path}", file=sys.stderr)
        return 2
    db = await Database.open(settings.database_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        await db.backup_to(target)
    finally:
        await db.close()
    print(f"backup written to {target}")
    return 0


#: Differences `check` lists before it only counts the rest.
CHECK_SHOWN = 50


async def _check(settings: Settings) -> int:
    """Recount every aggregate from the raw rows; list the differences (exit 1) or none (0)."""
    from storage import aggregates
    from storage.db import Database, schema_version

    if not settings.database_path.exists():
        print(f"no database at {settings.database_path}", file=sys.stderr)
        return 2
    db = await Database.open(settings.database_path)
    try:
        if await schema_version(db) < aggregates.SINCE_VERSION:
            print("✗ aggregates: not created yet — fix: run `python -m bot migrate`")
            return 1
        differences = await aggregates.check(db)
    finally:
        await db.close()
    if not differences:
        print(f"✓ aggregates: {len(aggregates.TABLES)} tables agree with the raw rows")
        return 0
    rows = "1 row differs" if len(differences) == 1 else f"{len(differences)} rows differ"
    print(f"✗ aggregates: {rows} from the raw rows")
    for found in differences[:CHECK_SHOWN]:
        print(f"  {found.describe()}")
    if len(differences) > CHECK_SHOWN:
        print(f"  … and {len(differences) - CHECK_SHOWN} more")
    print("  fix: report it (a write path missed); the raw rows are what counts")
    return 1


def _i18n_check() -> int:
    from bot.config import SUPPORTED_LOCALES
    from bot.i18n import extract_msgids, load_catalogs

    catalogs = load_catalogs()
    missing = 0
    for msgid, where in sorted(extract_msgids().items(), key=lambda kv: kv[1]):
        for locale in SUPPORTED_LOCALES:
            if msgid not in catalogs.get(locale, {}):
                missing += 1
                print(f"{locale}\t{where}\t{msgid!r}")
    print(f"{missing} missing", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
