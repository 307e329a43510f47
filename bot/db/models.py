"""Typed rows returned by the repositories."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar


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


T = TypeVar("T")


def from_row(model: type[T], row: Any, **values: Any) -> T:
    """A typed row from a SELECT whose columns are named as the model's fields: matched by
    name, never by position (a column added or reordered cannot shift the values).
    `values` replace columns that need converting (JSON, booleans)."""
    names = {field.name for field in dataclasses.fields(model)}  # type: ignore[arg-type]
    given = {key: row[key] for key in row.keys() if key in names}
    given.update(values)
    return model(**given)
