"""Asking each question of the diagnostic: its text, its keyboard, an optional re-ask hint."""

from __future__ import annotations

import hashlib
from typing import Any

from aiogram.methods import SendMessage
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from bot.config import Settings
from bot.content import Content
from bot.delivery.replies import Replies
from bot.flows.diagnostic import keyboards as kb

BUTTON_STEPS = frozenset(
    {
        "turnover",
        "years",
        "dept_type",
        "lead_source",
        "segments_count",
        "strategic",
        "consent",
        "phone_confirm",
        "review",
    }
)

LIMITS = {"segment_name": 40, "name": 100, "company": 150, "position": 100, "call_time": 100}


def consent_text(content: Content, settings: Settings) -> str:
    return content.render(
        "diagnostic/consent.html",
        consent_url=settings.consent_doc_url,
        privacy_url=settings.privacy_policy_url,
    )


def consent_hash(content: Content, settings: Settings) -> str:
    """Version of the consent text the owner saw (hash of exactly what was rendered)."""
    return hashlib.sha256(consent_text(content, settings).encode()).hexdigest()[:16]


def segment_names(data: dict[str, Any]) -> list[str]:
    return [segment["name"] for segment in data.get("segments", [])]


def answer_labels(data: dict[str, Any], content: Content) -> dict[str, Any]:
    """Human-readable answers (for the review and the checklist)."""

    def label(table: str, code: Any) -> str:
        return content.label(f"{table}.{code}") if code is not None else "—"

    return {
        "turnover": label("turnover", data.get("turnover")),
        "years": label("years", data.get("years")),
        "dept_type": label("dept_type", data.get("dept_type")),
        "lead_source": label("lead_source", data.get("lead_source")),
        "segments": data.get("segments", []),
        "strategic": int(data.get("strategic", 0)),
        "name": data.get("name") or "—",
        "company": data.get("company") or "—",
        "position": data.get("position"),
        "phone": data.get("phone") or "—",
        "call_time": call_time_label(data, content),
    }


def call_time_label(data: dict[str, Any], content: Content) -> str:
    value = data.get("call_time")
    if value is None:
        return "—"
    if value in kb.CALL_TIMES:
        return content.label(f"call_time.{value}")
    return str(value)


def ask(
    step: str,
    reply: Replies,
    chat_id: int,
    data: dict[str, Any],
    content: Content,
    settings: Settings,
    *,
    problem: str | None = None,
    kind: str | None = None,
) -> None:
    """Send the question of `step`, preceded by a short hint when re-asking."""
    text, markup = _question(step, data, content, settings)
    if problem is not None:
        hint = content.render(
            "diagnostic/reask.html", problem=problem, kind=kind or "text", limit=LIMITS.get(step, 0)
        )
        text = f"{hint}\n\n{text}"
    reply(SendMessage(chat_id=chat_id, text=text, reply_markup=markup))


def _question(
    step: str, data: dict[str, Any], content: Content, settings: Settings
) -> tuple[str, Any]:
    seg = int(data.get("seg", 0))
    count = int(data.get("seg_count") or 0)
    match step:
        case "turnover":
            return content.render("diagnostic/q_turnover.html"), kb.turnover(content)
        case "years":
            return content.render("diagnostic/q_years.html"), kb.years(content)
        case "dept_type":
            return content.render("diagnostic/q_dept_type.html"), kb.dept_type(content)
        case "lead_source":
            return content.render("diagnostic/q_lead_source.html"), kb.lead_source(content)
        case "segments_count":
            return content.render("diagnostic/q_segments_count.html"), kb.segments_count(content)
        case "segment_name":
            return (
                content.render("diagnostic/q_segment_name.html", index=seg + 1, count=count),
                kb.back_only(content, "segment_name"),
            )
        case "segment_share":
            names = segment_names(data)
            name = names[seg] if seg < len(names) else ""
            return (
                content.render("diagnostic/q_segment_share.html", name=name),
                kb.back_only(content, "segment_share", skip=True),
            )
        case "strategic":
            return content.render("diagnostic/q_strategic.html"), kb.strategic(
                content, segment_names(data)
            )
        case "consent":
            return consent_text(content, settings), kb.consent(content)
        case "name":
            return content.render("diagnostic/q_name.html"), kb.back_only(content, "name")
        case "company":
            return content.render("diagnostic/q_company.html"), kb.back_only(content, "company")
        case "position":
            return content.render("diagnostic/q_position.html"), kb.back_only(
                content, "position", skip=True
            )
        case "phone":
            return content.render("diagnostic/q_phone.html"), phone_keyboard(content)
        case "phone_confirm":
            return (
                content.render(
                    "diagnostic/q_phone_confirm.html", phone=data.get("pending_phone", "")
                ),
                kb.phone_confirm(content),
            )
        case "call_time":
            return content.render("diagnostic/q_call_time.html"), kb.call_time(content)
        case "review":
            return content.render(
                "diagnostic/review.html", **answer_labels(data, content)
            ), kb.review(content)
    raise ValueError(f"unknown diagnostic step {step!r}")


def phone_keyboard(content: Content) -> ReplyKeyboardMarkup:
    markup = kb.phone_request(content)
    markup.keyboard.append([KeyboardButton(text=content.label("diag_buttons.back"))])
    return markup
