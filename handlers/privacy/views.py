"""The `pv` button table and the /mydata summary screen."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translate, format_day
from bot.services import BotContext
from handlers.common import Caller
from handlers.keyboards import button, keyboard
from handlers.menu import HOME
from handlers.routing import Routes
from storage.privacy.holdings import Collected

NS = "pv"
#: An unverified member may see and erase what is stored about them too.
routes = Routes(NS, need="anyone")
VIEW, JSON, XLSX, FORGET, FORGET_YES = "view", "json", "xlsx", "fg", "fgy"
#: /mydata summary lines, by the storage section names of storage.privacy.holdings.HOLDINGS.
SECTIONS: dict[str, str] = {
    "requests": N_("Join and unit-change requests: {count}"),
    "signups": N_("Event sign-ups: {count}"),
    "feedback": N_("Event ratings and comments: {count}"),
    "suggestions": N_("Suggestions with your name: {count}"),
    "answers": N_("Survey answers with your name: {count}"),
    "surveys": N_("Surveys you were asked and answered: {count}"),
    "study": N_("Study record (lessons read, quizzes, points): {count}"),
    "messages": N_("Messages the union sent you: {count}"),
    "roster": N_("Roster lines matched to you: {count}"),
    "officer": N_("Records of your work as an officer: {count}"),
    "about": N_("Officer actions about you (e.g. approvals): {count}"),
}
_STATUS = {
    "new": N_("registration not finished"),
    "pending": N_("waiting for approval"),
    "verified": N_("member"),
    "rejected": N_("not admitted"),
}


def summary(_: Translate, caller: Caller, data: Collected, context: BotContext) -> str:
    """Everything stored about the member, one line per kind of record."""
    p = data.profile
    tz, locale = context.settings.tz, caller.locale
    lines = [
        _("🔒 <b>Your data</b>\nThis is everything the union bot stores about you."),
        _("Name: {name}", name=p.get("name") or "—"),
        _("Unit: {unit}", unit=" / ".join(data.unit_path) or "—"),
        _("Employee number: {number}", number=p.get("employee_no") or "—"),
        _("Language: {language}", language="中文" if p.get("language") == "zh_CN" else "English"),
        _("Status: {status}", status=_(_STATUS.get(str(p.get("status")), str(p.get("status"))))),
        _(
            "First contact: {day} · last seen: {seen}",
            day=format_day(float(p["created_at"]), locale, tz),
            seen=format_day(float(p["last_seen_at"]), locale, tz),
        ),
    ]
    if data.roles:
        lines.append(_("Roles: {count}", count=len(data.roles)))
    for section, count in sorted(data.counts().items()):
        if count and section in SECTIONS:
            lines.append(_(SECTIONS[section], count=count))
    if data.anonymous_refs:
        refs = ", ".join(data.anonymous_refs[:30]) + ("…" if len(data.anonymous_refs) > 30 else "")
        lines.append(
            _("Your anonymous suggestions: {refs}. Only you can see they are yours.", refs=refs)
        )
    lines.append(
        _(
            "Answers to anonymous surveys are not linked to you, so they cannot be "
            "shown or deleted one by one."
        )
    )
    return "\n".join(lines)


def markup(_: Translate) -> InlineKeyboardMarkup:
    """Downloads, erasure and the way home."""
    return keyboard(
        [
            [
                button(_("📄 Download (JSON)"), routes.data(JSON)),
                button(_("📊 Download (Excel)"), routes.data(XLSX)),
            ],
            [button(_("🗑 Delete my data"), routes.data(FORGET))],
            [button(_("🏠 Main menu"), HOME)],
        ]
    )
