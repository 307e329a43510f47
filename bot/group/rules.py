"""Lead statuses and the actions consultants take on them: which moves are allowed, by whom.

Pure rules, no I/O: `decide()` builds the function `PipelineRepo.move` runs inside its
write transaction, so the check and the change see the same row.
"""

from __future__ import annotations

from enum import StrEnum

from bot.db.models import LeadRow
from bot.db.pipeline import Decide, Move
from bot.domain import PIPELINE, LeadStatus

ALL_STATUSES = tuple(LeadStatus)
FUNNEL = PIPELINE
"""The way a lead goes when all is well; /stats shows the conversion between neighbours."""


class Action(StrEnum):
    """A card button; the value is the short code carried in callback data."""

    claim = "c"
    contacted = "t"
    scheduled = "s"
    done = "d"
    no_show = "x"
    lost = "l"
    reopen = "n"


TARGET: dict[Action, LeadStatus] = {
    Action.claim: LeadStatus.claimed,
    Action.contacted: LeadStatus.contacted,
    Action.scheduled: LeadStatus.scheduled,
    Action.done: LeadStatus.done,
    Action.no_show: LeadStatus.no_show,
    Action.lost: LeadStatus.lost,
    Action.reopen: LeadStatus.new,
}

ALLOWED: dict[str, tuple[Action, ...]] = {
    LeadStatus.new: (Action.claim, Action.lost),
    LeadStatus.claimed: (Action.contacted, Action.lost, Action.reopen),
    LeadStatus.contacted: (Action.scheduled, Action.lost, Action.reopen),
    LeadStatus.scheduled: (Action.claim, Action.done, Action.no_show, Action.lost, Action.reopen),
    LeadStatus.no_show: (Action.claim, Action.scheduled, Action.lost, Action.reopen),
    LeadStatus.done: (Action.reopen,),
    LeadStatus.lost: (Action.reopen,),
    LeadStatus.unqualified: (),
}
"""Buttons on a card in each status, in display order. «Взять в работу» shows only while
nobody has the lead: an owner who booked right after the request is «scheduled» unclaimed,
and claiming keeps that status."""

NOT_ALLOWED = "not_allowed"
NOT_YOURS = "not_yours"


def actions(status: str, assignee_id: int | None) -> tuple[Action, ...]:
    """The buttons a card shows: claiming only while nobody has the lead, or while it is still
    new (assigned round robin, its consultant takes it with the same button)."""
    allowed = ALLOWED.get(status, ())
    claimable = assignee_id is None or status == LeadStatus.new
    return tuple(a for a in allowed if a is not Action.claim or claimable)


def refusal(lead: LeadRow, action: Action, actor_id: int, is_admin: bool) -> str | None:
    """Why `actor_id` may not do `action` on `lead` now, or None when they may."""
    if action not in actions(lead.status, lead.assignee_id):
        return NOT_ALLOWED
    if lead.assignee_id is not None and lead.assignee_id != actor_id and not is_admin:
        return NOT_YOURS
    return None


def decide(
    action: Action, actor_id: int, actor_name: str, *, is_admin: bool, reason: str | None = None,
    event: str | None = None, slot_at: float | None = None,
) -> Decide:
    """The decision function for `PipelineRepo.move`. `event`, `slot_at`: what the move does
    to the lead's booked diagnostic (held, no-show, cancelled), for the history."""

    def run(lead: LeadRow) -> Move | str:
        problem = refusal(lead, action, actor_id, is_admin)
        if problem is not None:
            return problem
        if action is Action.claim:
            status = TARGET[action] if lead.status == LeadStatus.new else lead.status
            return Move(status, assignee=(actor_id, actor_name))
        if action is Action.reopen:
            return Move(TARGET[action], clear_assignee=True)
        if action is Action.lost:
            return Move(TARGET[action], reason=reason, event=event, slot_at=slot_at)
        return Move(TARGET[action], event=event, slot_at=slot_at)

    return run
