"""/lead N: the whole lead — the untrimmed card, notes and status history — in messages."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.group.views.agenda import history_event
from bot.group.views.card import card_context, load_extras, status_label
from bot.local_time import stamp
from bot.telegram_html import MESSAGE_LIMIT, split_html


async def lead_messages(
    lead: LeadRow, repo: Repositories, content: Content, settings: Settings
) -> list[str]:
    extras = replace(await load_extras(repo, lead), relay="")  # a view, not the thread
    card = content.render(
        "group/card.html", **card_context(lead, extras, content, settings, None)
    )
    notes = [
        {"at": stamp(note.at, settings.timezone), "author": note.author_name, "text": note.text}
        for note in await repo.pipeline.notes(lead.id)
    ]
    history = [
        {
            "at": stamp(item.at, settings.timezone),
            "actor": content.label("booking_texts.owner")
            if item.actor_id == lead.user_id else item.actor_name,
            "from_status": status_label(content, item.from_status),
            "to_status": status_label(content, item.to_status),
            "event": history_event(item.event, item.slot_at, content, settings)
            if item.event else "",
            "reason": item.reason or "",
        }
        for item in await repo.pipeline.history(lead.id)
    ]
    log = content.render("group/lead_log.html", notes=notes, history=history)
    return split_html(f"{card}\n\n{log}", MESSAGE_LIMIT)
