"""Every kind of follow-up, declared once: how long after its step it is due, how many a
series has, and whether it waits out the quiet hours.

A kind added here (with its `NudgeKind` member, its funnel step `nudge_<kind>` and its
message in bot/nudges/messages.py) is scheduled through `policy.plan` and sent by the one
sender; what schedules and cancels it is the caller's (see bot/nudges/policy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.domain import NudgeKind

DAY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: NudgeKind
    delay: Callable[[Settings], float]  # after the step; 0 turns the kind off
    repeats: int = 1  # reminders in a series; each next one after twice the previous wait
    quiet: bool = True  # a reminder due in the quiet hours waits for their end
    booking: bool = False  # about a booked diagnostic: due at fixed times (not `delay`)

    def wait(self, settings: Settings, seq: int) -> float:
        """Seconds from the step (seq 1) or from the previous reminder (seq > 1)."""
        return self.delay(settings) * 2 ** (seq - 1)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(NudgeKind.lesson, lambda s: s.lesson_nudge_after, repeats=2),
        KindSpec(NudgeKind.offer, lambda s: s.offer_nudge_after),
        KindSpec(NudgeKind.diagnostic, lambda s: s.diagnostic_nudge_after, repeats=2),
        KindSpec(
            NudgeKind.daily_lesson,
            lambda s: DAY if s.lessons_pace == "daily" else 0.0,
        ),
        # Planned by bot/booking/reminders.py for the booking's own times, not after a step.
        KindSpec(NudgeKind.booking_day_before, lambda s: 0.0, booking=True),
        KindSpec(NudgeKind.booking_hour_before, lambda s: 0.0, quiet=False, booking=True),
        KindSpec(NudgeKind.booking_group, lambda s: 0.0, quiet=False, booking=True),
    )
}


def spec(kind: str) -> KindSpec | None:
    return KINDS.get(kind)


def quiet_kinds() -> list[str]:
    return [kind for kind, spec in KINDS.items() if spec.quiet]
