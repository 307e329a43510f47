"""States of the diagnostic flow and how steps follow each other (forward, back, edit)."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State, StatesGroup


class DiagnosticStates(StatesGroup):
    turnover = State()
    years = State()
    dept_type = State()
    lead_source = State()
    segments_count = State()
    segment_name = State()
    segment_share = State()
    strategic = State()
    consent = State()
    name = State()
    company = State()
    position = State()
    phone = State()
    phone_confirm = State()
    call_time = State()
    review = State()


ORDER: tuple[str, ...] = (
    "turnover",
    "years",
    "dept_type",
    "lead_source",
    "segments_count",
    "segment_name",
    "segment_share",
    "strategic",
    "consent",
    "name",
    "company",
    "position",
    "phone",
    "phone_confirm",
    "call_time",
    "review",
)
STATE_OF: dict[str, State] = {name: getattr(DiagnosticStates, name) for name in ORDER}
STEP_OF: dict[str, str] = {state.state: name for name, state in STATE_OF.items() if state.state}

# Review's edit buttons: field -> (first step asked, last step of the group).
EDIT_GROUPS: dict[str, tuple[str, str]] = {
    "turnover": ("turnover", "turnover"),
    "years": ("years", "years"),
    "dept_type": ("dept_type", "dept_type"),
    "lead_source": ("lead_source", "lead_source"),
    "segments": ("segments_count", "strategic"),
    "name": ("name", "name"),
    "company": ("company", "company"),
    "position": ("position", "position"),
    "phone": ("phone", "phone_confirm"),
    "call_time": ("call_time", "call_time"),
}

FIRST_STEP = "turnover"


def step_of(state: str | None) -> str | None:
    return STEP_OF.get(state or "")


def _segments_done(data: dict[str, Any]) -> str:
    count = int(data.get("seg_count") or 0)
    return "strategic" if count > 1 else "consent"


def next_step(step: str, data: dict[str, Any]) -> str:
    """The step after `step` is answered (qualification is checked by the caller)."""
    if step == "segment_name":
        return "segment_share"
    if step == "segment_share":
        seg = int(data.get("seg", 0))
        return "segment_name" if seg + 1 < int(data.get("seg_count") or 0) else _segments_done(data)
    if step == "segments_count":
        return "segment_name"
    if step == "strategic":
        return "name" if data.get("consent_id") else "consent"
    if step == "consent":
        return "name"
    if step == "phone":
        return "call_time"
    if step == "phone_confirm":
        return "call_time"
    index = ORDER.index(step)
    return ORDER[index + 1]


def after_answer(step: str, data: dict[str, Any]) -> str:
    """Like next_step, but an edit started from the review returns there at its group's end."""
    upcoming = next_step(step, data)
    if upcoming == "consent" and data.get("consent_id"):
        upcoming = "name"
    edit_end = data.get("edit_end")
    if edit_end and (upcoming == "review" or ORDER.index(upcoming) > ORDER.index(edit_end)):
        return "review"
    return upcoming


def previous_step(step: str, data: dict[str, Any]) -> str | None:
    """Where «Назад» leads; None means leaving the flow (back from the first question)."""
    if data.get("edit_end"):
        return "review"
    seg = int(data.get("seg", 0))
    count = int(data.get("seg_count") or 0)
    match step:
        case "turnover":
            return None
        case "segment_name":
            return "segment_share" if seg > 0 else "segments_count"
        case "segment_share":
            return "segment_name"
        case "strategic":
            return "segment_share"
        case "consent" | "name":
            return "strategic" if count > 1 else "segment_share"
        case "call_time":
            return "phone"
        case "phone_confirm":
            return "phone"
    return ORDER[ORDER.index(step) - 1]
