"""The owner's side of the relay: after submitting a request, whatever the owner sends the
bot reaches the lead's thread in the consultants' group; an edit there follows.

Only for an owner with a qualified lead (such a lead exists only after consent: the consent
question comes before the contact questions) and only outside the diagnostic's questions,
which keep their own answers. Before submitting, and after /delete_me (no lead any more),
the global fallback answers as before. The message goes through the outbox in the group's
lane (its order, its 20 a minute, through restarts); its text stays there only until it is
delivered.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import Message

from bot.db.leads import Notification
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.domain import OutboxKind
from bot.filters import InChat
from bot.flows.lessons import LessonStates
from bot.relay_rules import content_of

FREE_STATES = frozenset({None, LessonStates.reading.state})
"""Conversation states in which the owner's messages are for the consultants."""


class Conversing(Filter):
    """The owner has a lead to talk about and is not answering the diagnostic's questions;
    hands the lead to the handler as `lead`."""

    async def __call__(
        self, message: Message, repo: Repositories, raw_state: str | None = None, **_: Any
    ) -> bool | dict[str, Any]:
        if raw_state not in FREE_STATES or message.from_user is None:
            return False
        lead = await repo.leads.for_user(message.from_user.id)
        if lead is None or not lead.qualified:
            return False
        return {"lead": lead}


def build_router() -> Router:
    router = Router(name="owner-relay")
    router.message.filter(InChat("private"), Conversing())
    router.edited_message.filter(InChat("private"), Conversing())
    router.message.register(on_owner_message)
    router.edited_message.register(on_owner_edit)
    return router


async def on_owner_message(message: Message, lead: LeadRow, repo: Repositories) -> None:
    carried = content_of(message)
    if carried is None:
        return
    target = message.reply_to_message
    await repo.outbox.add(
        Notification(OutboxKind.relay_to_group, None, {
            "m": message.message_id, "kind": carried.kind, "text": carried.text,
            "reply": target.message_id if target is not None else None,
        }),
        lead.id,
        f"{OutboxKind.relay_to_group}:{lead.id}:{message.message_id}",
    )


async def on_owner_edit(message: Message, lead: LeadRow, repo: Repositories) -> None:
    """An edit of a message that went (or is going) to the thread: the copy follows."""
    carried = content_of(message)
    if carried is None or carried.kind == "fixed":
        return
    if await repo.relay.from_owner(lead.id, message.message_id) is None and not (
        await repo.outbox.is_pending(
            f"{OutboxKind.relay_to_group}:{lead.id}:{message.message_id}"
        )
    ):
        return
    edited = message.edit_date or message.date
    stamp = int(edited.timestamp()) if hasattr(edited, "timestamp") else int(edited)
    await repo.outbox.add(
        Notification(OutboxKind.relay_edit, None, {"m": message.message_id, "text": carried.text}),
        lead.id,
        f"{OutboxKind.relay_edit}:in:{lead.id}:{message.message_id}:{stamp}",
    )
