"""Notifications you can trust: the outbox sender, its rate limit, and SLA reminders.

Handlers and repositories never talk to the consultants' group for new events: they write a
row to the `outbox` table in their update's transaction (`bot.db.leads.enqueue`) and the
sender posts it; the update processor wakes it after every commit.
"""

from bot.outbox.sender import OutboxSender
from bot.outbox.sla import SlaWatcher

__all__ = ["OutboxSender", "SlaWatcher"]
