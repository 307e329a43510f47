"""Delivery you can trust: the outbox sender, its clock and rate limit, and SLA reminders.

Handlers and repositories never talk to the consultants' group for new events: they write a
row to the `outbox` table in their own transaction (`bot.db.leads.enqueue`) and the sender
posts it. Setting `OutboxSender.wakeup` (the dispatcher's `outbox_wakeup`) makes it look now.
"""

from bot.outbox.clock import Clock, ShiftedClock
from bot.outbox.sender import OutboxSender
from bot.outbox.sla import SlaWatcher

__all__ = ["Clock", "OutboxSender", "ShiftedClock", "SlaWatcher"]
