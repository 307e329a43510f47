"""Every kind of reminder is complete: declared (delay, series, quiet hours), composed, named
in /stats, and logged as its own funnel event off the funnel's line."""

from __future__ import annotations

from bot.content import Content
from bot.db.funnel import FUNNEL_STEPS
from bot.domain import NudgeKind, nudge_step
from bot.nudges.kinds import KINDS
from bot.nudges.messages import COMPOSERS


def test_every_kind_is_declared_composed_named_and_logged(content: Content) -> None:
    for kind in NudgeKind:
        assert kind in KINDS, kind
        assert (kind in COMPOSERS) != KINDS[kind].booking, kind  # booking's: nudges/bookings.py
        assert content.label(f"nudge_kinds.{kind}"), kind
        assert nudge_step(kind) not in FUNNEL_STEPS, kind
