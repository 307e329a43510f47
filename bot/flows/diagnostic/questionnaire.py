"""The diagnostic request, declared once: every question, in order, with its rules.

This is the only place that names the questions. Their texts are the templates
content/diagnostic/q_<key>.html, option labels the tables of content/diagnostic.toml, the
review's line labels `[review]` and its edit buttons `[edit]`. To add a question, add it
here (and its template): states, buttons, re-asks, «Назад», the review line and its edit
button follow from the declaration (bot/flows/diagnostic/form.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.form import (
    Form,
    Kind,
    Leave,
    Position,
    Problem,
    Question,
    Repeat,
)
from bot.flows.diagnostic.rules import (
    CALL_TIMES,
    CONSENT_CHOICES,
    DEPT_TYPES,
    LEAD_SOURCES,
    MAX_SEGMENTS,
    PHONE_CHOICES,
    consent_context,
    record_consent,
    segment_lines,
    turnover_codes,
    verdict_so_far,
    years_codes,
)

if TYPE_CHECKING:
    from bot.flows.diagnostic.engine import Step


async def _qualification(step: Step, draft: Draft, value: Any) -> Leave | None:
    """Once turnover and years are both known: below the thresholds ends the request."""
    return await verdict_so_far(step, draft)


async def _consent(step: Step, draft: Draft, value: Any) -> Leave | None:
    return await record_consent(step, draft, granted=value == "agree")


async def _phone_confirmed(step: Step, draft: Draft, value: Any) -> Position | None:
    pending, draft.pending_phone = draft.pending_phone, None
    if value != "yes" or not pending:
        return Position(PHONE.key)
    draft.phone = pending
    step.say("diagnostic/phone_saved.html", phone=pending)
    return None


def _store_dept_type(draft: Draft, index: int, value: Any) -> None:
    draft.dept_type = int(value)


def _store_segment_count(draft: Draft, index: int, value: Any) -> None:
    draft.set_segment_count(int(value))


def _unique_segment(draft: Draft, index: int, value: Any) -> Problem | None:
    others = {name.casefold() for i, name in enumerate(draft.segment_names()) if i != index}
    return Problem.duplicate if str(value).casefold() in others else None


def _shares_fit(draft: Draft, index: int, value: Any) -> Problem | None:
    """Revenue shares of all segments add up to 100 % at most."""
    others = sum(s.share or 0 for i, s in enumerate(draft.segments) if i != index)
    return Problem.over_total if value is not None and others + int(value) > 100 else None


def _several_segments(draft: Draft) -> bool:
    return (draft.seg_count or 0) > 1


def _segment_context(step: Step, draft: Draft, index: int) -> dict[str, Any]:
    names = draft.segment_names()
    others = sum(s.share or 0 for i, s in enumerate(draft.segments) if i != index)
    return {
        "index": index + 1,
        "count": draft.seg_count or 0,
        "name": names[index] if index < len(names) else "",
        "left": max(100 - others, 0),
    }


TURNOVER = Question(
    "turnover", Kind.CHOICE, "turnover", codes=turnover_codes(), labels="turnover",
    then=_qualification, review="turnover", edit="turnover",
)
YEARS = Question(
    "years", Kind.CHOICE, "years", codes=years_codes(), labels="years",
    then=_qualification, review="years", edit="years",
)
DEPT_TYPE = Question(
    "dept_type", Kind.CHOICE, "dept_type", codes=DEPT_TYPES, labels="dept_type",
    store=_store_dept_type, review="dept_type", edit="dept_type",
)
LEAD_SOURCE = Question(
    "lead_source", Kind.CHOICE, "lead_source", codes=LEAD_SOURCES, labels="lead_source",
    review="lead_source", edit="lead_source",
)
SEGMENTS_COUNT = Question(
    "segments_count", Kind.CHOICE, "seg_count",
    codes=tuple(str(n) for n in range(1, MAX_SEGMENTS + 1)), columns=MAX_SEGMENTS,
    store=_store_segment_count, show=segment_lines, review="segments", edit="segments",
)
SEGMENT_NAME = Question(
    "segment_name", Kind.TEXT, "name", limit=40, check=_unique_segment,
    context=_segment_context, numbered=False,
)
SEGMENT_SHARE = Question(
    "segment_share", Kind.NUMBER, "share", bounds=(1, 100), skip=True, check=_shares_fit,
    when=_several_segments, context=_segment_context, numbered=False,
)
STRATEGIC = Question(
    "strategic", Kind.PICK, "strategic", pick=Draft.segment_names, when=_several_segments,
    numbered=False,
)
CONSENT = Question(
    "consent", Kind.CHOICE, "consent_id", codes=CONSENT_CHOICES, labels="diag_buttons",
    columns=2, store=lambda draft, index, value: None, then=_consent,
    context=lambda step, draft, index: consent_context(step.content, step.settings),
    when=lambda draft: draft.consent_id is None, numbered=False,
)
NAME = Question(
    "name", Kind.TEXT, "name", limit=100, review="name", edit="name", numbered=False
)
COMPANY = Question(
    "company", Kind.TEXT, "company", limit=150, review="company", edit="company",
    numbered=False,
)
POSITION = Question(
    "position", Kind.TEXT, "position", limit=100, skip=True, review="position",
    edit="position", numbered=False,
)
PHONE = Question(
    "phone", Kind.CONTACT, "phone", confirm="phone_confirm", pending="pending_phone",
    review="phone", edit="phone", numbered=False,
)
PHONE_CONFIRM = Question(
    "phone_confirm", Kind.CHOICE, "phone", codes=PHONE_CHOICES, labels="phone_confirm",
    store=lambda draft, index, value: None, then=_phone_confirmed, back=False,
    context=lambda step, draft, index: {"phone": draft.pending_phone or ""},
    when=lambda draft: draft.pending_phone is not None, numbered=False,
)
CALL_TIME = Question(
    "call_time", Kind.CHOICE, "call_time", codes=CALL_TIMES, labels="call_time", columns=2,
    free_text=True, limit=100, review="call_time", edit="call_time", numbered=False,
    when=lambda draft: not draft.booking,  # booked in the calendar after submitting instead
)
REVIEW = Question("review", Kind.REVIEW, "", numbered=False)

QUESTIONNAIRE = Form(
    "DiagnosticStates",
    (
        TURNOVER,
        YEARS,
        DEPT_TYPE,
        LEAD_SOURCE,
        SEGMENTS_COUNT,
        Repeat("segments", lambda draft: draft.seg_count or 0, (SEGMENT_NAME, SEGMENT_SHARE)),
        STRATEGIC,
        CONSENT,
        NAME,
        COMPANY,
        POSITION,
        PHONE,
        PHONE_CONFIRM,
        CALL_TIME,
        REVIEW,
    ),
    Draft,
    from_settings=lambda settings: {"booking": settings.booking},
)
