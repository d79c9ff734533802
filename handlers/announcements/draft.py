"""The announcement being composed (kept in the dialog row) and its wizard screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import Payload
from bot.i18n import Translate, format_when, raw
from handlers.announcements.text import excerpt
from handlers.keyboards import button, keyboard
from handlers.routing import Routes
from handlers.unit_picker import UnitTree
from storage.announcements import Audience

NS = "an"
KIND = "announce"
LANGUAGES = (None, "zh_CN", "en")

#: How the language button names "no language filter".
ALL_LANGUAGES = "all"


def next_language(language: str | None) -> str | None:
    """The filter after this one: all languages, Chinese only, English only, all again."""
    return LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]


#: Every announcement button (compose, audience, one announcement's controls): officers only.
routes = Routes(NS, need="officer")


@dataclass(slots=True)
class Draft:
    """Everything the officer chose so far; JSON in the dialog row, so restarts keep it."""

    text: str = ""
    parts: list[str] = field(default_factory=list)
    photo: str | None = None
    document: str | None = None
    doc_name: str | None = None
    audience: Audience = field(default_factory=Audience)
    ack: bool = False
    due_at: float | None = None
    edit: int | None = None
    long_text: str | None = None
    #: When text last arrived (a long paste comes as several messages within a second).
    text_at: float | None = None
    #: Raised by every save; `shown` is the version whose screen was sent (see steps).
    version: int = 0
    shown: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        """Read the dialog's data."""
        due = data.get("due_at")
        edit = data.get("edit")
        return cls(
            text=str(data.get("text") or ""),
            parts=[str(p) for p in data.get("parts") or []],
            photo=data.get("photo"),
            document=data.get("document"),
            doc_name=data.get("doc_name"),
            audience=Audience.from_json(data.get("audience")),
            ack=bool(data.get("ack")),
            due_at=float(due) if due is not None else None,
            edit=int(edit) if edit is not None else None,
            long_text=data.get("long_text"),
            text_at=data.get("text_at"),
            version=int(data.get("v") or 0),
            shown=int(data.get("shown") or 0),
        )

    def to_data(self) -> dict[str, Any]:
        """What goes back into the dialog row."""
        return {
            "text": self.text,
            "parts": self.parts,
            "photo": self.photo,
            "document": self.document,
            "doc_name": self.doc_name,
            "audience": self.audience.to_json(),
            "ack": self.ack,
            "due_at": self.due_at,
            "edit": self.edit,
            "long_text": self.long_text,
            "text_at": self.text_at,
            "v": self.version,
            "shown": self.shown,
        }

    @classmethod
    def from_payload(cls, payload: Payload, audience: Audience, due_at: float, edit: int) -> Draft:
        """Re-open a scheduled announcement for editing."""
        text = payload.text if isinstance(payload.text, str) else next(iter(payload.text.values()))
        continued = [c if isinstance(c, str) else next(iter(c.values())) for c in payload.continued]
        return cls(
            text=text,
            parts=[text, *continued] if continued else [],
            photo=payload.photo,
            document=payload.document,
            audience=audience,
            ack=payload.ack,
            due_at=due_at,
            edit=edit,
        )

    @property
    def has_content(self) -> bool:
        """Text or a file was given."""
        return bool(self.text or self.photo or self.document)

    def payload(self) -> Payload:
        """What the delivery engine will send."""
        if self.parts:
            continued: list[str | dict[str, str]] = list(self.parts[1:])
            return Payload(text=self.parts[0], continued=continued, ack=self.ack)
        return Payload(text=self.text, photo=self.photo, document=self.document, ack=self.ack)


def language_label(_: Translate, language: str | None) -> str:
    """How a language filter reads on a screen."""
    if language == "zh_CN":
        return _("Chinese only")
    if language == "en":
        return _("English only")
    return _("all languages")


def audience_text(_: Translate, audience: Audience, tree: UnitTree) -> str:
    """One line naming who the announcement is for."""
    if not audience.unit_ids:
        return _("nobody chosen yet")
    names = "、".join(tree.path(u) for u in audience.unit_ids if u in tree.by_id)
    who = _("officers only") if audience.officers_only else _("all members")
    return _(
        "{units} (with their sub-units) · {who} · {language}",
        units=names,
        who=raw(who),
        language=raw(language_label(_, audience.language)),
    )


def audience_screen(
    _: Translate, draft: Draft, tree: UnitTree, count: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Choose units, officers only or everyone, and a language."""
    text = _(
        "👥 <b>Who should receive it?</b>\n{audience}\nRecipients: {count}\n\n"
        "Press “Add a unit” to pick units; sub-units are included.",
        audience=raw(audience_text(_, draft.audience, tree)),
        count=count,
    )
    layout: list[list[InlineKeyboardButton]] = [
        [button(_("➕ Add a unit"), routes.data("ub", 0))],
    ]
    for unit_id in draft.audience.unit_ids:
        if unit_id in tree.by_id:
            layout.append([button("✖ " + tree.path(unit_id), routes.data("rm", unit_id))])
    who = _("👥 Officers only") if draft.audience.officers_only else _("👥 All members")
    following = next_language(draft.audience.language) or ALL_LANGUAGES
    layout.append(
        [
            button(who, routes.data("role", 0 if draft.audience.officers_only else 1)),
            button(
                "🌐 " + language_label(_, draft.audience.language), routes.data("lang", following)
            ),
        ]
    )
    layout.append(
        [button(_("➡ Continue"), routes.data("rev")), button(_("✖ Discard"), routes.data("x"))]
    )
    return text, keyboard(layout)


def review_screen(
    _: Translate,
    draft: Draft,
    tree: UnitTree,
    count: int,
    unreachable: int,
    when: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """The last screen before sending: everything at a glance, every part changeable."""
    title = (
        _("✏️ <b>Edit scheduled announcement</b>") if draft.edit else _("📢 <b>New announcement</b>")
    )
    lines = [
        title,
        _("To: {audience}", audience=raw(audience_text(_, draft.audience, tree))),
        _("Recipients: {count}", count=count),
    ]
    if unreachable:
        lines.append(_("({count} of them blocked the bot and will be skipped.)", count=unreachable))
    lines.append(_("When: {when}", when=when))
    lines.append(
        _("Read confirmation: requested") if draft.ack else _("Read confirmation: not requested")
    )
    if draft.photo:
        lines.append(_("Attachment: a photo"))
    elif draft.document:
        lines.append(_("Attachment: {name}", name=draft.doc_name or _("a document")))
    if draft.parts:
        lines.append(_("Sent as {count} messages.", count=len(draft.parts)))
    if draft.text:
        lines.append("")
        lines.append(excerpt(draft.text))
    ack_label = _("✅ Read confirmation: on") if draft.ack else _("☐ Read confirmation: off")
    send_label = _("🗓 Schedule") if draft.due_at else _("📤 Send now")
    layout = [
        [
            button(_("👁 Preview to me"), routes.data("pv")),
            button(ack_label, routes.data("ack", 0 if draft.ack else 1)),
        ],
        [
            button(_("✏️ Text"), routes.data("txt")),
            button(_("👥 Audience"), routes.data("aud")),
            button(_("⏰ Time"), routes.data("when")),
        ],
        [button(send_label, routes.data("go"))],
        [button(_("✖ Discard"), routes.data("x"))],
    ]
    return "\n".join(lines), keyboard(layout)


def when_text(_: Translate, due_at: float | None, locale: str, tz: Any) -> str:
    """ "now" or the scheduled moment in the officer's zone."""
    return format_when(due_at, locale, tz) if due_at else _("right after confirming")
