"""The end of a request: the lead stored (one per owner, idempotent per draft), what the owner
is told — the confirmation and the preliminary checklist, or the verdict with a way to correct
an answer — and what the draft keeps afterwards (no personal data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.types import CallbackQuery, Message

from bot import checklist
from bot import keyboards as main_kb
from bot.db.leads import LeadDraft, Notification
from bot.domain import FunnelStep, LeadAnswers, OutboxKind
from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.questionnaire import TURNOVER, YEARS
from bot.flows.diagnostic.rules import CALL_TIMES
from bot.nudges import policy as followups
from bot.qualification import Qualification, qualify

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.flows.diagnostic.engine import Step



def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def conditions(settings: Settings) -> dict[str, Any]:
    """The diagnostic's conditions, as the texts quote them."""
    return {
        "min_turnover": _number(settings.min_turnover_mln),
        "min_years": settings.min_years_on_market,
    }


def verdict(step: Step, draft: Draft) -> Qualification:
    return qualify(
        draft.turnover or "",
        draft.years or "",
        step.settings.min_turnover_mln,
        step.settings.min_years_on_market,
    )


def verdict_context(step: Step, draft: Draft) -> dict[str, Any]:
    outcome = verdict(step, draft)
    return {
        **conditions(step.settings),
        "turnover_ok": outcome.turnover_ok,
        "years_ok": outcome.years_ok,
    }


def answers(draft: Draft) -> dict[str, Any]:
    """What the lead keeps of the answers about the company (the card and export read it)."""
    kept = LeadAnswers.model_validate(draft.model_dump(include=set(LeadAnswers.model_fields)))
    if not draft.seg_count:  # never got that far
        kept.segments = kept.strategic = None
    return kept.model_dump()


def call_time_label(step: Step, draft: Draft) -> str | None:
    if draft.call_time is None:
        return None
    if draft.call_time in CALL_TIMES:
        return step.content.label(f"call_time.{draft.call_time}")
    return draft.call_time


def qualification_text(step: Step, draft: Draft) -> str:
    outcome = verdict(step, draft)
    content = step.content
    return content.render(
        "diagnostic/qualification.html",
        turnover=content.label(f"turnover.{draft.turnover}") if draft.turnover else "—",
        years=content.label(f"years.{draft.years}") if draft.years else "—",
        turnover_ok=outcome.turnover_ok,
        years_ok=outcome.years_ok,
        **conditions(step.settings),
    )


async def store_unqualified(step: Step, draft: Draft) -> list[str]:
    """The request below the thresholds is stored as such; returns the questions whose
    answers the owner may correct (the ones that did not pass)."""
    notify = Notification(OutboxKind.lead_card, None, {}) if step.settings.notify_unqualified else None
    lead = LeadDraft(
        user_id=step.user_id,
        draft_id=draft.draft,
        qualified=False,
        qualification=qualification_text(step, draft),
        answers=answers(draft),
    )
    await step.repo.leads.submit(lead, notify)
    await followups.request_ended(step.repo, step.user_id, submitted=False)
    draft.submitted = draft.draft
    outcome = verdict(step, draft)
    return [
        question.key for question, ok in ((TURNOVER, outcome.turnover_ok),
                                          (YEARS, outcome.years_ok)) if not ok
    ]


async def submit(step: Step, draft: Draft, query: CallbackQuery) -> None:
    """«Отправить»: the lead and the consultants' card are stored, then the owner is thanked
    and gets the checklist, then (booking on) the diagnostic's free days. The draft keeps
    only its id afterwards."""
    outcome = verdict(step, draft)
    source, referrer_id = await step.repo.referrals.attribution(step.user_id)
    lead = LeadDraft(
        user_id=step.user_id,
        draft_id=draft.draft,
        qualified=outcome.qualified,
        qualification=qualification_text(step, draft),
        answers=answers(draft),
        source=source,
        referrer_id=referrer_id,
        name=draft.name,
        company=draft.company,
        position=draft.position,
        phone=draft.phone,
        call_time=call_time_label(step, draft),
        consent_id=draft.consent_id,
    )
    notify = Notification(OutboxKind.lead_card, None, {}) if outcome.qualified else None
    result = await step.repo.leads.submit(lead, notify)
    await followups.request_ended(step.repo, step.user_id, submitted=True)
    if not result.replayed:
        await step.repo.funnel.record(
            step.user_id, FunnelStep.lead_submitted, lead_id=result.lead.id
        )
        if outcome.qualified:
            await step.repo.referrals.thank_once(step.user_id, "lead")
    step.say(
        "diagnostic/submitted.html",
        name=draft.name or "",
        expectation=step.settings.callback_expectation
        or step.content.label("diag_texts.callback_expectation"),
        call_time=call_time_label(step, draft) or "",
    )
    # The review's buttons go right after the thanks, not a round trip before it: the
    # owner waits for the thanks, and a press meanwhile is told the request is sent.
    if isinstance(query.message, Message):
        step.reply(query.message.edit_reply_markup(reply_markup=None))
    step.say(
        "diagnostic/checklist.html",
        main_kb.after_submit(step.content),
        **checklist_context(draft),
    )
    kept = type(draft)(draft=draft.draft, submitted=draft.draft)
    await step.save(kept, None)
    if outcome.qualified:  # then the diagnostic's free times (when booking is on)
        # Imported here: booking's keyboards use the questionnaire's call times, so the two
        # packages would import each other at start-up.
        from bot.flows.booking.handlers import offer_after_submit

        await offer_after_submit(step, result.lead, step.clock.now())


def checklist_context(draft: Draft) -> dict[str, Any]:
    return checklist.checklist_context(
        draft.dept_type,
        draft.lead_source,
        [segment.model_dump() for segment in draft.segments],
        draft.strategic if (draft.seg_count or 0) > 1 else None,
    )
