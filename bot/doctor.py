"""`unionbot doctor`: one line per check of configuration, database, Bot API and webhook."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.app import WEBHOOK_PATH
from bot.config import Settings
from bot.runner import api_host, unreachable_hint
from bot.sealing import relay_key_problem
from storage.db import Database, health

#: Below this much free space SQLite's WAL, backups and exports start failing.
MIN_FREE_BYTES = 200 * 1024 * 1024
#: The only ports Telegram delivers webhooks to.
WEBHOOK_PORTS = (443, 80, 88, 8443)
WHOAMI_FIX = "send /whoami to the bot in a private chat and put the number in ADMIN_IDS"


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report."""

    ok: bool
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        """'✓ name: detail' or '✗ name: detail — fix: ...'."""
        tail = f" — fix: {self.fix}" if not self.ok and self.fix else ""
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}{tail}"


def config_checks(settings: Settings) -> list[Check]:
    """Token, relay key, admins, time zone and webhook URL, as configured."""
    checks = []
    if settings.token:
        bot_id = settings.token.partition(":")[0]
        checks.append(Check(True, "TELEGRAM_BOT_TOKEN", f"set (bot id {bot_id})"))
    else:
        checks.append(
            Check(
                False,
                "TELEGRAM_BOT_TOKEN",
                "not set: the bot would start the local sandbox",
                "create a bot with @BotFather and put its token in .env (docs/deploy.md)",
            )
        )
    secret = settings.relay_key.get_secret_value() if settings.relay_key else ""
    problem = relay_key_problem(secret, settings.database_path, bool(settings.token))
    if problem or not secret:
        checks.append(
            Check(
                False,
                "RELAY_KEY",
                problem or "not set",
                'generate one: python -c "import secrets; print(secrets.token_urlsafe(32))"',
            )
        )
    else:
        checks.append(Check(True, "RELAY_KEY", f"set ({len(secret)} characters) and usable"))
    people = [i for i in settings.admin_ids if i > 0]
    if not settings.admin_ids:
        checks.append(Check(False, "ADMIN_IDS", "empty: nobody can approve members", WHOAMI_FIX))
    elif len(people) < len(settings.admin_ids):
        checks.append(
            Check(False, "ADMIN_IDS", "negative ids are groups or channels, not people", WHOAMI_FIX)
        )
    else:
        checks.append(Check(True, "ADMIN_IDS", ", ".join(str(i) for i in people)))
    now = datetime.now(settings.tz).strftime("%Y-%m-%d %H:%M")
    checks.append(Check(True, "TIMEZONE", f"{settings.timezone} (local time now {now})"))
    checks.append(_webhook_config(settings))
    return checks


def _webhook_config(settings: Settings) -> Check:
    url = settings.webhook_url
    if not url:
        return Check(True, "WEBHOOK_URL", "not set: long polling")
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme != "https":
        return Check(
            False,
            "WEBHOOK_URL",
            f"{url} is not https://",
            "Telegram delivers webhooks only over HTTPS; put a TLS proxy in front",
        )
    if port not in WEBHOOK_PORTS:
        return Check(
            False,
            "WEBHOOK_URL",
            f"port {port} is not one Telegram delivers to",
            "use port 443, 80, 88 or 8443 in the public URL",
        )
    if not parts.path.rstrip("/").endswith(f"/{WEBHOOK_PATH}"):
        return Check(
            False,
            "WEBHOOK_URL",
            f"{url} does not end in /{WEBHOOK_PATH}",
            f"end the URL with /{WEBHOOK_PATH} (the path the bot listens on)",
        )
    return Check(
        True,
        "WEBHOOK_URL",
        f"{url}, secret set, bot listens on {settings.webhook_listen}:{settings.webhook_port}",
    )


async def database_checks(
    settings: Settings, min_free: int = MIN_FREE_BYTES, vfs: str | None = None
) -> list[Check]:
    """The file exists, is migrated, in WAL mode and writable, with room to grow.

    The journal line reports the mode after the bot's own switch to WAL (as at start):
    it fails where SQLite refuses WAL, e.g. a file system without shared memory.
    """
    path = settings.database_path
    if not path.is_file():
        return [
            Check(
                False,
                "database",
                f"no database at {path}",
                "run `unionbot migrate` (the bot also creates it at its first start)",
            )
        ]
    try:
        db = await Database.open(path, busy_timeout_ms=1000, vfs=vfs)
    except Exception as exc:  # an unreadable file: report, never a traceback
        return [
            Check(
                False,
                "database",
                f"cannot open {path}: {exc}",
                "check the file's owner and permissions, and that no other program holds it open",
            )
        ]
    try:
        state = await health(db)
    finally:
        await db.close()
    checks = [_migrations(state.version, state.latest)]
    checks.append(
        Check(True, "database journal", "WAL")
        if state.journal_mode == "wal"
        else Check(
            False,
            "database journal",
            f"SQLite keeps the file in {state.journal_mode} mode, not WAL",
            "move the database to a local disk (DATABASE_PATH): WAL needs shared memory, "
            "which network shares and some container volumes do not offer",
        )
    )
    checks.append(
        Check(True, "database writable", str(path))
        if state.write_problem is None
        else Check(
            False,
            "database writable",
            state.write_problem,
            "the service user needs write access to the file and its folder; "
            "stop any other process that holds it",
        )
    )
    free = _free_bytes(path)
    checks.append(
        Check(True, "free disk", f"{free // 2**20} MB")
        if free >= min_free
        else Check(
            False,
            "free disk",
            f"{free // 2**20} MB left beside the database",
            f"free at least {min_free // 2**20} MB (old backups and logs)",
        )
    )
    return checks


def _free_bytes(path: Path) -> int:
    """Free space on the file system that holds the database."""
    return shutil.disk_usage(path.resolve().parent).free


def _migrations(version: int, latest: int) -> Check:
    if version == latest:
        return Check(True, "database schema", f"version {version}, up to date")
    if version > latest:
        return Check(
            False,
            "database schema",
            f"version {version} is newer than this code ({latest})",
            "install the version that wrote it: downgrades are not "
            "supported (restore the backup taken before the upgrade)",
        )
    return Check(
        False,
        "database schema",
        f"version {version}, {latest - version} migration(s) pending",
        "back up, then run `unionbot migrate` (the bot also migrates at start)",
    )


async def api_checks(settings: Settings) -> list[Check]:
    """getMe (through the proxy, if any) and getWebhookInfo."""
    if not settings.token:
        return [Check(False, "Bot API", "not checked without a token")]
    host = api_host(settings)
    via = (
        f" through the proxy {urlsplit(settings.telegram_proxy).netloc}"
        if settings.telegram_proxy
        else ""
    )
    request = HTTPXRequest(proxy=settings.telegram_proxy, connect_timeout=10, read_timeout=10)
    bot = Bot(
        settings.token,
        base_url=settings.bot_api_base_url,
        base_file_url=settings.bot_api_base_file_url,
        request=request,
    )
    try:
        try:
            await bot.initialize()
        except InvalidToken:
            return [
                Check(
                    False,
                    "Bot API",
                    f"{host} rejected the token",
                    "copy the token again from @BotFather (/mybots, API Token)",
                )
            ]
        except (NetworkError, TimedOut) as exc:
            return [
                Check(
                    False,
                    "Bot API",
                    f"cannot reach {host}{via} ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''})",
                    unreachable_hint(settings),
                )
            ]
        checks = [Check(True, "Bot API", f"{host}{via} answers as @{bot.username}")]
        try:
            checks.append(await _webhook_state(settings, bot))
        except TelegramError as exc:
            checks.append(Check(False, "webhook", f"getWebhookInfo failed: {exc}", "try again"))
        return checks
    finally:
        await bot.shutdown()


async def _webhook_state(settings: Settings, bot: Bot) -> Check:
    info = await bot.get_webhook_info()
    wanted = settings.webhook_url
    if not wanted:
        if info.url:
            return Check(
                False,
                "webhook",
                f"Telegram still delivers to {info.url}, but WEBHOOK_URL is not set",
                "stop any other installation that uses "
                "this token; starting the bot in polling mode removes the webhook",
            )
        return Check(True, "webhook", "none (long polling)")
    if not info.url:
        return Check(
            True,
            "webhook",
            "not registered yet: the bot registers WEBHOOK_URL with its secret at start",
        )
    if info.url != wanted:
        return Check(
            False,
            "webhook",
            f"Telegram delivers to {info.url}, not WEBHOOK_URL",
            "start the bot (it registers WEBHOOK_URL); stop any other installation "
            "that uses this token",
        )
    if info.last_error_message:
        return Check(
            False,
            "webhook",
            f"Telegram's last delivery failed: {info.last_error_message}",
            "check the reverse proxy: valid TLS "
            f"certificate, and /{WEBHOOK_PATH} forwarded to "
            f"{settings.webhook_listen}:{settings.webhook_port}",
        )
    pending = info.pending_update_count
    return Check(True, "webhook", f"Telegram delivers to {wanted} ({pending} pending)")


async def run_doctor(
    settings: Settings,
    out: Callable[[str], None] = print,
    *,
    min_free: int = MIN_FREE_BYTES,
    vfs: str | None = None,
) -> int:
    """Print every check; 0 only when all pass (`vfs` lets tests stand in a file system)."""
    checks = config_checks(settings)
    checks += await database_checks(settings, min_free, vfs)
    checks += await api_checks(settings)
    for check in checks:
        out(check.line())
    failed = sum(not c.ok for c in checks)
    out("all checks passed" if not failed else f"{failed} check(s) failed")
    return 0 if not failed else 1
