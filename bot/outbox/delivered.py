"""What an outbox kind reports once done: what to record in the transaction that marks its
row sent (bot/db/outbox.py: OutboxRepo.complete)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.db.cards import CardRow, LeadMessage
from bot.db.outbox import FollowUp
from bot.db.relay import RelayedRow


@dataclass(slots=True)
class Delivered:
    card: CardRow | None = None
    messages: list[LeadMessage] = field(default_factory=list)
    forget: int | None = None  # lead id whose card and relay traces are dropped
    relayed: list[RelayedRow] = field(default_factory=list)  # which message became which
    follow: list[FollowUp] = field(default_factory=list)  # rows to enqueue with it
    keep_payload: bool = True  # False: blank the payload (a relayed text is not kept)
