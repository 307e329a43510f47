"""The diagnostic's business rules the questionnaire refers to: answer codes, qualification
as soon as it is decided, consent (152-ФЗ), and how segments read on the review."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from bot.domain import FunnelStep
from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.form import Leave
from bot.qualification import TURNOVER_BANDS, YEARS_BANDS, qualify

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content import Content
    from bot.flows.diagnostic.engine import Step

DEPT_TYPES = ("1", "2", "3")
LEAD_SOURCES = ("marketing", "sales", "both")
CALL_TIMES = ("morning", "day", "evening", "any")
CONSENT_CHOICES = ("agree", "decline")
PHONE_CHOICES = ("yes", "no")
MAX_SEGMENTS = 5
# What the consent covers: the contacts asked after it, and the answers about the company.
CONSENT_SCOPES = [
    *(field for field in Draft.personal_fields() if not field.startswith("pending")), "answers"
]


def turnover_codes() -> tuple[str, ...]:
    return tuple(band.code for band in TURNOVER_BANDS)


def years_codes() -> tuple[str, ...]:
    return tuple(band.code for band in YEARS_BANDS)


async def verdict_so_far(step: Step, draft: Draft) -> Leave | None:
    """Qualification, once both turnover and years are known (funnel events recorded)."""
    if not draft.turnover or not draft.years:
        return None
    verdict = qualify(
        draft.turnover,
        draft.years,
        step.settings.min_turnover_mln,
        step.settings.min_years_on_market,
    )
    if not verdict.qualified:
        await step.repo.funnel.record(step.user_id, FunnelStep.not_qualified)
        return Leave.unqualified
    await step.repo.funnel.record(step.user_id, FunnelStep.qualified)
    return None


def consent_context(content: Content, settings: Settings) -> dict[str, Any]:
    """The consent question's links (the text quotes its button's label itself)."""
    return {
        "consent_url": settings.consent_doc_url,
        "privacy_url": settings.privacy_policy_url,
    }


def consent_text(content: Content, settings: Settings) -> str:
    return content.render("diagnostic/q_consent.html", **consent_context(content, settings))


def consent_hash(content: Content, settings: Settings) -> str:
    """Version of the consent text the owner saw (hash of exactly what was rendered)."""
    return hashlib.sha256(consent_text(content, settings).encode()).hexdigest()[:16]


async def record_consent(step: Step, draft: Draft, *, granted: bool) -> Leave | None:
    """Store the decision with the version of the text; declining keeps no contacts."""
    consent_id = await step.repo.consents.record(
        step.user_id,
        "granted" if granted else "declined",
        consent_hash(step.content, step.settings),
        CONSENT_SCOPES,
    )
    if not granted:
        draft.consent_id = None
        draft.forget_personal()
        return Leave.declined
    draft.consent_id = consent_id
    await step.repo.funnel.record(step.user_id, FunnelStep.consent)
    step.say("diagnostic/consent_thanks.html")
    return None


def segment_lines(draft: Draft) -> list[dict[str, Any]]:
    """The segments as the review lists them: name, share, the owner's strategic pick."""
    several = (draft.seg_count or 0) > 1
    return [
        {**segment.model_dump(), "starred": several and index == draft.strategic}
        for index, segment in enumerate(draft.segments)
    ]
