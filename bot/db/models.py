"""Typed rows returned by the repositories."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    first_seen: float
    last_seen: float
    start_payload: str | None
    lesson: int
    lessons_done_at: float | None


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: int
    user_id: int
    status: str
    qualified: bool
    qualification: str
    source: str | None
    referrer_id: int | None
    answers: dict[str, object]
    name: str | None
    company: str | None
    position: str | None
    phone: str | None
    call_time: str | None
    consent_id: int | None
    draft_id: str
    is_returning: bool
    submissions: int
    assignee_id: int | None
    assignee_name: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class SubmitResult:
    lead: LeadRow
    created: bool  # a new lead row
    replayed: bool  # the same draft was submitted before: nothing changed
