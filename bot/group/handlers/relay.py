"""Consultants write to an owner from the lead's thread: /send, and edits of what was sent.

The rule (bot/relay_rules.py): only a message that starts with /send — or /send alone as a
reply to one's own message, which is then the one sent — reaches the owner; everything else
in the thread is a note. The lead is the thread's: its forum topic, or, without topics, the
card or owner's message the command replies to. Once a lead is taken only its consultant or
an admin writes to its owner; the first /send on a new lead takes it. The message goes to
the owner's lane of the outbox (their chat's order, one a second, through restarts) and
counts as the lead's first contact when it is the first.
"""

from __future__ import annotations

from aiogram.types import Message

from bot.db.contacts import VIA_MESSAGE
from bot.db.leads import Notification
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.domain import LeadStatus, OutboxKind
from bot.group.desk import Desk
from bot.group.rules import Action, decide
from bot.group.views.refresh import refresh_card
from bot.relay_rules import after_command, content_of, starts_with_send


def replied(message: Message) -> Message | None:
    """The message this one really replies to: Telegram makes every message of a forum
    topic a reply to the topic's first (service) message, which is no answer to anything."""
    target = message.reply_to_message
    if target is None or target.forum_topic_created is not None:
        return None
    return target


async def thread_lead(message: Message, repo: Repositories) -> int | None:
    """The lead whose thread this message is in (None: no lead's)."""
    chat_id = message.chat.id
    if message.is_topic_message and message.message_thread_id is not None:
        lead_id = await repo.relay.lead_of_topic(chat_id, message.message_thread_id)
        if lead_id is not None:
            return lead_id
    target = replied(message)
    if target is None:
        return None
    about = await repo.cards.message(chat_id, target.message_id)
    if about is not None:
        return about.lead_id
    for found in (
        await repo.relay.by_group_copy(chat_id, target.message_id),
        await repo.relay.to_owner(chat_id, target.message_id),
    ):
        if found is not None:
            return found.lead_id
    return await repo.pipeline.note_lead(chat_id, target.message_id)


async def on_send(message: Message, desk: Desk) -> None:
    user, reply, repo, content = desk.user, desk.reply, desk.repo, desk.content
    lead_id = await thread_lead(message, repo)
    if lead_id is None:
        reply(message.reply(content.text("relay_hints.send_nowhere")))
        return
    lead = await repo.leads.get(lead_id)
    if lead is None:
        reply(message.reply(content.text("relay_hints.send_gone", id=lead_id)))
        return
    if not lead.qualified:
        reply(message.reply(content.text("relay_hints.send_no_consent", id=lead.id)))
        return
    is_admin = desk.consultants.is_admin(user.id)
    if lead.assignee_id not in (None, user.id) and not is_admin:
        reply(message.reply(content.text(
            "relay_hints.send_not_yours", id=lead.id, name=lead.assignee_name or "—"
        )))
        return
    source, text = message, after_command(message.text or message.caption or "")
    kind = "text" if message.text is not None else "caption"
    target = replied(message)
    if message.text is not None and not text:
        if target is None or target.from_user is None or target.from_user.id != user.id:
            key = "relay_hints.send_foreign" if target is not None else "relay_hints.send_usage"
            reply(message.reply(content.text(key)))
            return
        carried = content_of(target)
        if carried is None:
            reply(message.reply(content.text("relay_hints.send_usage")))
            return
        source, target = target, None
        kind, text = carried.kind, after_command(carried.text)
    await _take(lead, desk, is_admin)
    await repo.outbox.add(
        Notification(OutboxKind.relay_to_owner, lead.user_id, {
            "chat": message.chat.id, "m": source.message_id, "name": user.first_name,
            "kind": kind, "text": text,
            "reply": target.message_id if target is not None else None,
        }),
        lead.id,
        f"{OutboxKind.relay_to_owner}:{message.chat.id}:{source.message_id}",
    )
    await repo.contacts.record(
        lead.id, message.date.timestamp(), user.id, user.full_name, VIA_MESSAGE
    )


async def _take(lead: LeadRow, desk: Desk, is_admin: bool) -> None:
    """The first message to the owner of a new lead takes it (as «Взять в работу» would)."""
    user_id, name = desk.user.id, desk.user.full_name
    if lead.status != LeadStatus.new or lead.assignee_id not in (None, user_id):
        return
    result = await desk.repo.pipeline.move(
        lead.id, user_id, name, decide(Action.claim, user_id, name, is_admin=is_admin)
    )
    if result.ok and result.after is not None:
        await refresh_card(desk.reply, desk.repo, desk.content, desk.settings, result.after)


async def on_group_edit(message: Message, repo: Repositories) -> None:
    """A consultant edited a message that went (or is going) to an owner: the owner's copy
    is edited the same way."""
    user = message.from_user
    if user is None:
        return
    chat_id, message_id = message.chat.id, message.message_id
    sent = await repo.relay.to_owner(chat_id, message_id)
    lead_id = sent.lead_id if sent is not None else None
    if lead_id is None:
        if not await repo.outbox.is_pending(
            f"{OutboxKind.relay_to_owner}:{chat_id}:{message_id}"
        ):
            return
        lead_id = await thread_lead(message, repo)
    lead = await repo.leads.get(lead_id) if lead_id is not None else None
    carried = content_of(message)
    if lead is None or carried is None or carried.kind == "fixed":
        return
    text = after_command(carried.text) if starts_with_send(carried.text) else carried.text
    edited = message.edit_date or message.date
    stamp = int(edited.timestamp()) if hasattr(edited, "timestamp") else int(edited)
    await repo.outbox.add(
        Notification(OutboxKind.relay_edit, lead.user_id, {
            "chat": chat_id, "m": message_id, "name": user.first_name, "text": text,
        }),
        lead.id,
        f"{OutboxKind.relay_edit}:out:{chat_id}:{message_id}:{stamp}",
    )


async def on_topic_toggled(message: Message, repo: Repositories) -> None:
    """Someone closed or reopened a lead's topic: the bot reopens a closed one when the
    owner writes again (consultants who are no administrators cannot write in it)."""
    if message.message_thread_id is None:
        return
    await repo.relay.mark_closed(
        message.chat.id, message.message_thread_id, message.forum_topic_closed is not None
    )
