"""The consultants' views as the outbox needs them (bot/outbox/views.py: GroupViews)."""

from __future__ import annotations

from typing import Any

from aiogram.methods import SetMyCommands

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.group.views import agenda, leads_list
from bot.group.views.card import (
    card_text,
    load_extras,
    shorten,
    status_label,
    tombstone_text,
)
from bot.group.views.keyboards import card_keyboard
from bot.group.views.menu import group_menu
from bot.outbox.views import Rendered

TOPIC_NAME_LIMIT = 128  # Telegram cuts longer topic names


class ConsultantViews:
    def __init__(self, repo: Repositories, content: Content, settings: Settings) -> None:
        self.repo, self.content, self.settings = repo, content, settings

    async def card(self, lead: LeadRow) -> Rendered:
        text = card_text(lead, await load_extras(self.repo, lead), self.content, self.settings)
        return Rendered(text, card_keyboard(lead, self.content, self.settings.assignment))

    def update_notice(self, lead: LeadRow) -> str:
        return self.content.render(
            "group/update_notice.html", id=lead.id, submissions=lead.submissions,
            status=status_label(self.content, lead.status),
        )

    async def booking_notice(self, lead: LeadRow, payload: dict[str, Any]) -> str | None:
        return await agenda.booking_notice(lead, payload, self.repo, self.content, self.settings)

    def tombstone(self, lead_id: int) -> str:
        return tombstone_text(lead_id, self.content)

    async def page_without(self, detail: str | None, kept: list[int]) -> Rendered | None:
        shown = await agenda.without(detail, kept, self.repo, self.content, self.settings)
        if shown is not None:  # an /agenda
            return Rendered(shown.text, None)
        page = await leads_list.without(detail, kept, self.repo, self.content, self.settings)
        return None if page is None else Rendered(page.text, page.markup)

    def menu(self, chat_id: int) -> SetMyCommands:
        return group_menu(self.content, chat_id)

    # -- the relay --------------------------------------------------------------------------

    def topic_title(self, lead: LeadRow) -> str:
        name = (lead.name or "").strip() or self.content.label("relay_labels.owner")
        company = (lead.company or "").strip()
        if company:
            title = self.content.label(
                "relay_labels.topic_title", id=lead.id, company=company, name=name
            )
        else:
            title = self.content.label("relay_labels.topic_title_short", id=lead.id, name=name)
        return shorten(title, TOPIC_NAME_LIMIT)

    def erased_topic_title(self, lead_id: int) -> str:
        return self.content.label("relay_labels.topic_erased", id=lead_id)

    def topic_notice(self, lead: LeadRow, link: str) -> str:
        return self.content.render(
            "relay/topic_notice.html", id=lead.id, company=shorten(lead.company, 120),
            name=shorten(lead.name, 120), link=link, assignee=lead.assignee_name or "",
            assignee_id=lead.assignee_id or 0,
        )

    def from_owner(self, lead: LeadRow, text: str | None) -> str:
        name = shorten(lead.name, 120) or self.content.label("relay_labels.owner")
        return self.content.render("relay/from_owner.html", name=name, id=lead.id, text=text or "")

    def from_consultant(self, name: str, text: str | None) -> str:
        return self.content.render(
            "relay/from_consultant.html", name=shorten(name, 64), text=text or ""
        )

    def plain(self, text: str) -> str:
        return self.content.render("relay/plain.html", text=text)

    def relay_refused(self, reason: str) -> str:
        known = reason if reason in ("blocked", "deactivated", "failed") else "failed"
        return self.content.render("relay/refused.html", reason=known)

    def uncopyable(self) -> str:
        return self.content.text("relay_hints.uncopyable")

    def relay_mark(self) -> str:
        return self.content.label("relay_labels.mark")
