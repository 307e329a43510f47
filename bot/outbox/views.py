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

    # -- the relay between the owner and the consultants (bot/outbox/relay.py) -------------

    def topic_title(self, lead: LeadRow) -> str:
        """The name of the lead's forum topic (plain text)."""

    def erased_topic_title(self, lead_id: int) -> str:
        """The topic's name once its owner erased their data."""

    def topic_notice(self, lead: LeadRow, link: str) -> str:
        """The one line in the group's general topic that leads to a new topic."""

    def from_owner(self, lead: LeadRow, text: str | None) -> str:
        """The owner's message as it shows in the thread: who wrote and what (None: who
        wrote only, above a copy that carries the rest)."""

    def from_consultant(self, name: str, text: str | None) -> str:
        """A consultant's message as the owner gets it, signed «Анна, консультант»."""

    def plain(self, text: str) -> str:
        """Text someone wrote, as HTML (an edited copy that has no signature of its own)."""

    def relay_refused(self, reason: str) -> str:
        """Said in the thread when a consultant's message did not reach the owner."""

    def uncopyable(self) -> str:
        """Said instead of a message Telegram would not copy (HTML)."""

    def relay_mark(self) -> str:
        """The reaction that marks a relayed message as delivered."""
