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
    lost = "l"
    reopen = "n"


TARGET: dict[Action, LeadStatus] = {
    Action.claim: LeadStatus.claimed,
    Action.contacted: LeadStatus.contacted,
    Action.scheduled: LeadStatus.scheduled,
    Action.done: LeadStatus.done,
    Action.lost: LeadStatus.lost,
    Action.reopen: LeadStatus.new,
}

ALLOWED: dict[str, tuple[Action, ...]] = {
    LeadStatus.new: (Action.claim, Action.lost),
    LeadStatus.claimed: (Action.contacted, Action.lost, Action.reopen),
    LeadStatus.contacted: (Action.scheduled, Action.lost, Action.reopen),
    LeadStatus.scheduled: (Action.done, Action.lost, Action.reopen),
    LeadStatus.done: (Action.reopen,),
    LeadStatus.lost: (Action.reopen,),
    LeadStatus.unqualified: (),
}
"""Buttons on a card in each status, in display order."""

NOT_ALLOWED = "not_allowed"
NOT_YOURS = "not_yours"


def refusal(lead: LeadRow, action: Action, actor_id: int, is_admin: bool) -> str | None:
    """Why `actor_id` may not do `action` on `lead` now, or None when they may."""
    if action not in ALLOWED.get(lead.status, ()):
        return NOT_ALLOWED
    if lead.assignee_id is not None and lead.assignee_id != actor_id and not is_admin:
        return NOT_YOURS
    return None


def decide(
    action: Action, actor_id: int, actor_name: str, *, is_admin: bool, reason: str | None = None
) -> Decide:
    """The decision function for `PipelineRepo.move`."""

    def run(lead: LeadRow) -> Move | str:
        problem = refusal(lead, action, actor_id, is_admin)
        if problem is not None:
            return problem
        if action is Action.claim:
            return Move(TARGET[action], assignee=(actor_id, actor_name))
        if action is Action.reopen:
            return Move(TARGET[action], clear_assignee=True)
        if action is Action.lost:
            return Move(TARGET[action], reason=reason)
        return Move(TARGET[action])

    return run
