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
