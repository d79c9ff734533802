"""Work supervision (督办): tasks handed down the unit tree, reports back up, reminders."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_
from bot.services import BotApp, BotContext
from handlers.common import answer, press, send
from handlers.keyboards import cb
from handlers.registry import MenuEntry, Registry
from handlers.tasks import create, evaluation, export, review, scorecard_upload, unit, upload
from handlers.tasks.notify import INTERVAL, setup_delivery, sweep
from handlers.tasks.views import KIND_NEW, KIND_REPORT, KIND_RETURN, NS, RESULTS, Route

#: Telegram shows at most 200 characters in a callback answer.
ALERT_MAX = 200

__all__ = ["INTERVAL", "NS", "ROUTES", "install_jobs", "register", "setup_delivery", "sweep"]


def _routes() -> dict[str, Route]:
    """Every button action of the feature; an action named twice is a bug caught at import."""
    merged: dict[str, Route] = {}
    for table in (
        create.ROUTES, unit.ROUTES, review.ROUTES, export.ROUTES, evaluation.ROUTES,
        scorecard_upload.ROUTES, upload.ROUTES,
    ):  # fmt: skip
        clash = merged.keys() & table.keys()
        if clash:
            raise ValueError(f"task button actions defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


ROUTES = _routes()


async def on_button(update: Update, context: BotContext) -> None:
    """Check the press, parse its numbers, run the action, answer the press exactly once."""
    pressed = await press(update, context, "officer")
    if pressed is None:
        return
    caller, data = pressed
    route = ROUTES.get(data.action)
    args = [data.int_arg(i) for i in range(route.args)] if route else []
    if route is None or len(data.args) != route.args or None in args:
        await answer(update, caller._(RESULTS["stale"]), alert=True)
        return
    if route.need == "admin" and not caller.is_admin:
        await answer(update, caller._(RESULTS["forbidden"]), alert=True)
        return
    if route.early:
        await answer(update)
    alert = await route.handler(update, context, caller, [a for a in args if a is not None])
    if route.early:
        if alert is not None:
            await send(update, context, alert)
        return
    if alert is not None and len(alert) > ALERT_MAX:
        alert = alert[: ALERT_MAX - 1] + "…"
    await answer(update, alert, alert=alert is not None)


def install_jobs(app: BotApp) -> None:
    """The sweep: repeats, reminders, overdue notices and escalations (idempotent)."""
    queue = app.job_queue
    if queue is None:
        return
    for job in queue.get_jobs_by_name("tasks_sweep"):
        job.schedule_removal()
    queue.run_repeating(sweep, interval=INTERVAL, first=20, name="tasks_sweep")


def register(app: BotApp, registry: Registry) -> None:
    """The task buttons, the three dialogs and the officer menu entry."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{NS}:"))
    registry.dialog(KIND_NEW, create.DIALOG)
    registry.dialog(KIND_REPORT, unit.DIALOG)
    registry.dialog(KIND_RETURN, review.DIALOG)
    registry.dialog(scorecard_upload.KIND, scorecard_upload.DIALOG)
    registry.dialog(upload.KIND, upload.DIALOG)
    registry.add_menu(MenuEntry(N_("📌 Tasks"), cb(NS, "home"), "officer", 25))
    registry.add_menu(MenuEntry(N_("🏅 Unit scorecards"), cb(NS, "ev"), "officer", 26))
