"""What the outbox posts, rendered by whoever owns it: the sender is handed a `GroupViews`
(bot/group/views/for_outbox.py) and never imports the consultants' views itself."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from aiogram.methods import SetMyCommands
from aiogram.types import InlineKeyboardMarkup

from bot.db.models import LeadRow


class Rendered(NamedTuple):
    text: str
    markup: InlineKeyboardMarkup | None


class GroupViews(Protocol):
    async def card(self, lead: LeadRow) -> Rendered:
        """The lead's card as it should look now."""

    def update_notice(self, lead: LeadRow) -> str:
        """The reply under a card whose owner sent the request again."""

    async def booking_notice(self, lead: LeadRow, payload: dict[str, Any]) -> str | None:
        """The reply under a card whose owner booked, moved, cancelled or confirmed the
        diagnostic or chose another time (`payload` as the booking service wrote it);
        None: nothing to say any more."""

    def tombstone(self, lead_id: int) -> str:
        """What replaces every message that showed an erased lead."""

    async def page_without(self, detail: str | None, kept: list[int]) -> Rendered | None:
        """A /leads page or an /agenda rendered again with only the `kept` leads (None:
        cannot be)."""

    def menu(self, chat_id: int) -> SetMyCommands:
        """The call that sets the consultants' command menu in a group."""
