"""The owner's request while they fill it in: a typed model kept as JSON in the FSM data.

Field names are the keys earlier versions stored, so a request started before an upgrade
resumes as it was. Where the owner is (`step`, and `seg` for a question asked per segment)
is kept here too: it survives /cancel and the lessons, so /diagnostic picks the request up.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# What the request holds that identifies a person: dropped when consent is declined and
# once the request is submitted (the lead keeps it; the draft no longer needs it).
PERSONAL_FIELDS = ("name", "company", "position", "phone", "pending_phone", "call_time")


class Segment(BaseModel):
    """One source of the «озеро дохода»: a target-audience segment."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    share: int | None = None  # percent of revenue, when the owner knows it


class Draft(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    draft: str = ""  # the request's id: submitting the same draft twice stores one lead
    step: str | None = None  # the question the owner is at
    seg: int = 0  # which segment a per-segment question is about
    editing: str | None = None  # the review's edit group being changed (back to review after)
    submitted: str | None = None  # the draft id once it was submitted

    turnover: str | None = None
    years: str | None = None
    dept_type: int | None = None
    lead_source: str | None = None
    seg_count: int | None = None
    segments: list[Segment] = Field(default_factory=list)
    strategic: int = 0
    consent_id: int | None = None
    name: str | None = None
    company: str | None = None
    position: str | None = None
    phone: str | None = None
    pending_phone: str | None = None  # a shared contact that is not the owner's own
    call_time: str | None = None

    @classmethod
    def load(cls, data: dict[str, Any]) -> Draft:
        return cls.model_validate(data)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)

    @property
    def in_progress(self) -> bool:
        """Started and not yet submitted."""
        return bool(self.draft) and self.submitted != self.draft

    def segment_names(self) -> list[str]:
        return [segment.name or "" for segment in self.segments]

    def set_segment_count(self, count: int) -> None:
        """Keep the names already given (when editing), trimmed or extended to `count`."""
        self.seg_count = count
        self.segments = [*self.segments[:count]]
        while len(self.segments) < count:
            self.segments.append(Segment())
        if self.strategic >= count:
            self.strategic = 0
        if count == 1:
            self.segments[0].share = None  # one source brings all the revenue

    def forget_personal(self) -> None:
        for name in PERSONAL_FIELDS:
            setattr(self, name, None)
