"""The lead card in the group: its text (escaped, under 4096 characters) and the tombstone.

User-supplied values only ever reach templates as template variables (autoescaped); the
stored qualification line is reduced to plain text first. When a card would be too long,
long answers are cut with «…» step by step; /lead N shows them in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.analytics.report import source_label
from bot.booking.texts import span, zone_phrase
from bot.config import Settings
from bot.content import Content
from bot.db.bookings import BookingRow
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.domain import LeadStatus
from bot.local_time import stamp
from bot.telegram_html import MESSAGE_LIMIT, TelegramHTMLError, parse, visible_length

TRIM_STEPS: tuple[int | None, ...] = (None, 300, 120, 60, 30, 15)


@dataclass(frozen=True, slots=True)
class CardExtras:
    """What the card shows besides the lead row."""

    username: str | None = None
    referrer: str | None = None
    lost_reason: str | None = None
    booking: BookingRow | None = None  # the lead's latest booking of a diagnostic slot
    relay: str = ""  # how consultants write to the owner: "topic", "reply" or "" (they cannot)


async def load_extras(repo: Repositories, lead: LeadRow) -> CardExtras:
    owner = await repo.users.get(lead.user_id)
    referrer = None
    if lead.referrer_id is not None:
        inviter = await repo.users.get(lead.referrer_id)
        if inviter is None:
            referrer = str(lead.referrer_id)
        elif inviter.username:
            referrer = f"{inviter.first_name} (@{inviter.username})"
        else:
            referrer = f"{inviter.first_name} ({lead.referrer_id})"
    return CardExtras(
        username=owner.username if owner else None,
        referrer=referrer,
        lost_reason=await repo.pipeline.lost_reason(lead.id),
        booking=await repo.bookings.latest_for_lead(lead.id),
        relay=await relay_mode(repo, lead),
    )


async def relay_mode(repo: Repositories, lead: LeadRow) -> str:
    """How the card tells consultants to write to the owner: in the lead's topic, by a reply
    in the card's thread, or not at all (a lead below the thresholds never consented)."""
    if not lead.qualified:
        return ""
    return "topic" if await repo.relay.topic(lead.id) is not None else "reply"


def shorten(text: object, limit: int | None) -> str:
    """`text` as a string, cut to `limit` characters with «…» when longer."""
    value = "" if text is None else str(text).strip()
    if limit is None or len(value) <= limit:
        return value
    return value[: max(limit - 1, 1)].rstrip() + "…"


def plain(html: str) -> str:
    """Visible text of stored HTML (the qualification line), to be escaped again."""
    try:
        return parse(html).text
    except TelegramHTMLError:
        return html


def option_label(content: Content, table: str, code: object) -> str:
    """The label of an answer code, or the code itself when the table has no such key."""
    if code is None or code == "":
        return ""
    try:
        return content.label(f"{table}.{code}")
    except KeyError:
        return str(code)


def status_label(content: Content, status: str) -> str:
    return option_label(content, "lead_status", status)


def segments(lead: LeadRow, limit: int | None) -> list[dict[str, Any]]:
    raw = lead.answers.get("segments") or []
    strategic = lead.answers.get("strategic")
    found = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict):
            continue
        share = item.get("share")
        found.append({
            "name": shorten(item.get("name"), limit),
            "share": share if isinstance(share, int | float) else None,
            "strategic": index == strategic,
        })
    return found


def booking_context(
    booking: BookingRow | None, content: Content, settings: Settings, limit: int | None
) -> dict[str, Any] | None:
    """The card's line about the booked diagnostic (None: never booked)."""
    if booking is None:
        return None
    return {
        "state": booking.state,
        "when": span(content, booking.starts_at, booking.ends_at, settings.timezone),
        "zone": zone_phrase(content, settings.timezone),
        "confirmed": booking.confirmed_at is not None,
        "reason": shorten(booking.reason, limit),
    }


def card_context(
    lead: LeadRow, extras: CardExtras, content: Content, settings: Settings, limit: int | None
) -> dict[str, Any]:
    answers = lead.answers
    return {
        "id": lead.id,
        "returning": lead.is_returning,
        "submissions": lead.submissions,
        "status_code": lead.status,
        "status": status_label(content, lead.status),
        "assignee": shorten(lead.assignee_name, limit),
        "lost_reason": shorten(extras.lost_reason, limit) if lead.status == LeadStatus.lost else "",
        "qualified": lead.qualified,
        "name": shorten(lead.name, limit),
        "company": shorten(lead.company, limit),
        "position": shorten(lead.position, limit),
        "phone": shorten(lead.phone, 32),
        "username": shorten(extras.username, 64),
        "call_time": shorten(lead.call_time, limit),
        "booking": booking_context(extras.booking, content, settings, limit),
        "booking_on": settings.booking,
        "qualification": shorten(plain(lead.qualification), limit),
        "turnover": option_label(content, "turnover", answers.get("turnover")),
        "years": option_label(content, "years", answers.get("years")),
        "dept_type": option_label(content, "dept_type", answers.get("dept_type")),
        "lead_source": option_label(content, "lead_source", answers.get("lead_source")),
        "segments": segments(lead, limit),
        "source": shorten(source_label(content, lead.source) if lead.source else None, limit),
        "referrer": shorten(extras.referrer, limit),
        "relay": extras.relay,
        "created": stamp(lead.created_at, settings.timezone),
        "updated": stamp(lead.updated_at, settings.timezone),
    }


def card_text(lead: LeadRow, extras: CardExtras, content: Content, settings: Settings) -> str:
    """The card, trimmed until it fits one message."""
    text = ""
    for limit in TRIM_STEPS:
        text = content.render(
            "group/card.html", **card_context(lead, extras, content, settings, limit)
        )
        if visible_length(text) <= MESSAGE_LIMIT:
            break
    return text


def tombstone_text(lead_id: int, content: Content) -> str:
    return content.render("group/tombstone.html", id=lead_id)
