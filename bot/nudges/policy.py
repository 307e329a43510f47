"""Which step of an owner schedules which follow-up, and which steps make one obsolete.

Every function here is called by a flow while it handles the owner's update, so what it
writes joins that update's unit of work (bot/runner.py): the reminder is scheduled — or
cancelled — in the same transaction as the step itself, or not at all.

    step                                  cancels                         then schedules
    a lesson opened (N of M)              lesson, daily_lesson            lesson N+1 reminder
                                                                          (daily: lesson N+1
                                                                          itself); N = M: offer
    the lessons finished                  lesson, daily_lesson            offer
    the request opened (begun, resumed)   lesson, daily_lesson, offer     —
    an answer (the next question asked)   —                               diagnostic (moved)
    the request left (declined, back)     diagnostic                      —
    submitted, or found not qualified     every funnel reminder           —
    /stop, «Не напоминать»                everything (and no more until /start)
    blocking the bot (or a 403)           everything
    /delete_me                            everything (bot/db/privacy.py)

Lesson and offer reminders give way to a pending request reminder (the request is further
along the funnel), and none of the funnel's reminders is scheduled once the owner has a
stored request. Steps the owner takes within a day of a reminder mark it as having brought
them back (/stats).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.domain import NudgeKind
from bot.nudges.kinds import KINDS, KindSpec
from bot.nudges.quiet import out_of_quiet

if TYPE_CHECKING:
    from bot.db.nudges import NudgeRow, Resumed
    from bot.db.repos import Repositories
    from bot.flows.diagnostic.draft import Draft
    from bot.flows.diagnostic.form import Form, Position

CAME_BACK_WITHIN = 24 * 3600.0
LESSON_KINDS = (NudgeKind.lesson, NudgeKind.daily_lesson)
BEFORE_REQUEST = (*LESSON_KINDS, NudgeKind.offer)
FUNNEL_KINDS = (*BEFORE_REQUEST, NudgeKind.diagnostic)  # all the funnel's reminders


def due_at(spec: KindSpec, settings: Settings, after: float) -> float:
    """When a reminder whose wait ends at `after` goes out: then, or when the quiet hours
    it falls into end."""
    if not spec.quiet:
        return after
    return out_of_quiet(settings.quiet_hours, after, settings.timezone)


async def plan(
    repo: Repositories,
    settings: Settings,
    user_id: int,
    kind: NudgeKind,
    payload: dict[str, Any] | None = None,
    *,
    seq: int = 1,
    start: float | None = None,
    unless_pending: Sequence[NudgeKind] = (),
    unless_lead: bool = False,
) -> None:
    """Schedule reminder `kind` (number `seq` of its series) its wait after `start` (now by
    default); nothing when the kind is off (its delay 0) or the series is over."""
    spec = KINDS[kind]
    wait = spec.wait(settings, seq)
    if wait <= 0 or seq > spec.repeats:
        return
    begin = repo.nudges.now() if start is None else start
    await repo.nudges.schedule(
        user_id, kind, due_at(spec, settings, begin + wait), payload, seq=seq,
        unless_pending=unless_pending, unless_lead=unless_lead,
    )


async def lesson_opened(
    repo: Repositories, settings: Settings, user_id: int, index: int, total: int,
    *, by_owner: bool = True,
) -> None:
    """Lesson `index` of `total` was opened (by the owner, or sent by the daily pace)."""
    if by_owner:
        await repo.nudges.came_back(user_id, CAME_BACK_WITHIN)
    await repo.nudges.cancel(user_id, LESSON_KINDS)
    if index >= total:
        await plan(
            repo, settings, user_id, NudgeKind.offer,
            unless_pending=(NudgeKind.diagnostic,), unless_lead=True,
        )
        return
    if settings.lessons_pace == "daily":
        await plan(
            repo, settings, user_id, NudgeKind.daily_lesson, {"lesson": index + 1},
            unless_pending=(NudgeKind.diagnostic, NudgeKind.offer), unless_lead=True,
        )
        return
    await plan(
        repo, settings, user_id, NudgeKind.lesson, {"lesson": index},
        unless_pending=(NudgeKind.diagnostic, NudgeKind.offer), unless_lead=True,
    )


async def lessons_finished(repo: Repositories, settings: Settings, user_id: int) -> None:
    """«Завершить обучение»: the offer of the free diagnostic, its wait from now."""
    await repo.nudges.came_back(user_id, CAME_BACK_WITHIN)
    await repo.nudges.cancel(user_id, LESSON_KINDS)
    await plan(
        repo, settings, user_id, NudgeKind.offer,
        unless_pending=(NudgeKind.diagnostic,), unless_lead=True,
    )


async def request_opened(repo: Repositories, user_id: int) -> None:
    """The request was begun or resumed: lesson and offer reminders are over."""
    await repo.nudges.came_back(user_id, CAME_BACK_WITHIN)
    await repo.nudges.cancel(user_id, BEFORE_REQUEST)


def request_place(form: Form, draft: Draft, at: Position) -> dict[str, Any]:
    """Where in the request the owner is, as the reminder says it: the question's number
    (numbered questions), its review label (if it has one) and how many are left."""
    question = form.questions[at.key]
    number, total = form.numbering(draft, at) if question.numbered else (0, 0)
    path = [p for p in form.path(draft) if p.key != form.review_key]
    left = len(path) - path.index(at) if at in path else 0
    return {
        "key": at.key, "seg": at.index, "number": number, "total": total,
        "topic": question.review or "", "left": left,
    }


async def request_at(
    repo: Repositories, settings: Settings, user_id: int, place: dict[str, Any]
) -> None:
    """The owner is at a question now: the request reminder waits from this moment."""
    await repo.nudges.came_back(user_id, CAME_BACK_WITHIN)
    await plan(repo, settings, user_id, NudgeKind.diagnostic, place, unless_lead=True)


async def request_left(repo: Repositories, user_id: int) -> None:
    """The owner left the request on purpose (declined consent, «Назад» from the first)."""
    await repo.nudges.cancel(user_id, (NudgeKind.diagnostic,))


async def request_ended(repo: Repositories, user_id: int, *, submitted: bool) -> None:
    """Submitted, or found not qualified: none of the funnel's reminders is relevant any
    more (today that is everything an owner can have pending)."""
    await repo.nudges.cancel(user_id, FUNNEL_KINDS)
    if submitted:
        await repo.nudges.submitted(user_id)


async def stopped(repo: Repositories, user_id: int) -> None:
    """/stop or «Не напоминать»: no reminders at all until /start."""
    await repo.nudges.stop(user_id)


async def restarted(repo: Repositories, user_id: int) -> Resumed:
    """/start: reminders on again; what had turned them off (after /stop the owner is told,
    and either way the reminders of a booked diagnostic are planned again)."""
    return await repo.nudges.resume(user_id)


async def blocked(repo: Repositories, user_id: int) -> int:
    """The owner blocked the bot (my_chat_member, or Telegram's 403 to a send)."""
    return await repo.nudges.blocked(user_id)


async def unblocked(repo: Repositories, user_id: int) -> None:
    """The owner unblocked the bot: their own steps schedule reminders again."""
    await repo.nudges.unblocked(user_id)


def next_due(settings: Settings, nudge: NudgeRow, sent_at: float) -> float | None:
    """When the next reminder of `nudge`'s series is due if it is sent at `sent_at`: twice
    the previous wait later (None: the series ends with it)."""
    spec = KINDS[nudge.kind]
    seq = nudge.seq + 1
    wait = spec.wait(settings, seq)
    if wait <= 0 or seq > spec.repeats:
        return None
    return due_at(spec, settings, sent_at + wait)


async def sent(
    repo: Repositories, settings: Settings, total: int, nudge: NudgeRow
) -> bool:
    """Telegram took `nudge`: it is marked sent (with its funnel event and the next of its
    series, bot/db/nudges.py). A lesson that came by itself is also the owner's progress,
    recorded in the same transaction (and it plans the lesson after it). False when it was
    no longer pending."""
    following = next_due(settings, nudge, repo.nudges.now())
    if nudge.kind != NudgeKind.daily_lesson:
        return await repo.nudges.mark_sent(nudge, following)
    async with repo.db.unit():
        if not await repo.nudges.mark_sent(nudge, following):
            return False
        index = nudge.payload.get("lesson")
        if isinstance(index, int) and not isinstance(index, bool):
            await repo.users.open_lesson(nudge.user_id, index)
            await lesson_opened(repo, settings, nudge.user_id, index, total, by_owner=False)
    return True
