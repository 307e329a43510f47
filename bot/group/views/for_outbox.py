"""The consultants' views as the outbox needs them (bot/outbox/views.py: GroupViews)."""

from __future__ import annotations

from typing import Any

from aiogram.methods import SetMyCommands

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.group.views import agenda, leads_list
from bot.group.views.card import card_text, load_extras, status_label, tombstone_text
from bot.group.views.keyboards import card_keyboard
from bot.group.views.menu import group_menu
from bot.outbox.views import Rendered


class ConsultantViews:
    def __init__(self, repo: Repositories, content: Content, settings: Settings) -> None:
        self.repo, self.content, self.settings = repo, content, settings

    async def card(self, lead: LeadRow) -> Rendered:
        text = card_text(lead, await load_extras(self.repo, lead), self.content, self.settings)
        return Rendered(text, card_keyboard(lead, self.content))

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
