"""The owner's request while they fill it in: a typed model kept as JSON in the FSM data.

Field names are the keys earlier versions stored, so a request started before an upgrade
resumes as it was. Where the owner is (`step`, and `seg` for a question asked per segment)
is kept here too: it survives /cancel and the lessons, so /diagnostic picks the request up.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.domain import SegmentAnswer

# Fields that identify a person are marked so: dropped when consent is declined and once the
# request is submitted (the lead keeps them; the draft no longer needs them).
PERSONAL = {"personal": True}


class Segment(SegmentAnswer):
    """One source of the «озеро дохода»: a target-audience segment."""


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
    name: str | None = Field(None, json_schema_extra=PERSONAL)
    company: str | None = Field(None, json_schema_extra=PERSONAL)
    position: str | None = Field(None, json_schema_extra=PERSONAL)
    phone: str | None = Field(None, json_schema_extra=PERSONAL)
    # A shared contact that is not the owner's own, until they confirm it.
    pending_phone: str | None = Field(None, json_schema_extra=PERSONAL)
    call_time: str | None = Field(None, json_schema_extra=PERSONAL)
    # The diagnostic is booked in the calendar after submitting (DIAGNOSTIC_HOURS set):
    # from the settings each time the draft is loaded (bot/flows/diagnostic/form.py), never
    # stored.
    booking: bool = Field(False, exclude=True)

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

    @classmethod
    def personal_fields(cls) -> list[str]:
        return [
            name for name, info in cls.model_fields.items()
            if info.json_schema_extra == PERSONAL
        ]

    def forget_personal(self) -> None:
        for name in self.personal_fields():
            setattr(self, name, None)
