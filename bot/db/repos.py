"""One object that carries every repository, handed to handlers as `repo`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.db.bookings import BookingRepo
from bot.db.cards import CardRepo
from bot.db.contacts import ContactRepo
from bot.db.database import Database
from bot.db.duty import DutyRepo
from bot.db.fsm_storage import SQLiteStorage
from bot.db.funnel import FunnelRepo
from bot.db.inbox import InboxRepo
from bot.db.kv import KvRepo
from bot.db.leads import ConsentRepo, LeadRepo
from bot.db.nudges import NudgeRepo
from bot.db.outbox import OutboxRepo
from bot.db.pipeline import PipelineRepo
from bot.db.privacy import PrivacyRepo
from bot.db.referrals import ReferralRepo
from bot.db.relay import RelayRepo
from bot.db.replies import ReplyRepo
from bot.db.stats import StatsRepo
from bot.db.users import UserRepo


@dataclass(slots=True)
class Repositories:
    db: Database
    users: UserRepo
    inbox: InboxRepo
    replies: ReplyRepo
    fsm: SQLiteStorage
    leads: LeadRepo
    consents: ConsentRepo
    privacy: PrivacyRepo
    funnel: FunnelRepo
    referrals: ReferralRepo
    kv: KvRepo
    cards: CardRepo
    pipeline: PipelineRepo
    outbox: OutboxRepo
    stats: StatsRepo
    nudges: NudgeRepo
    bookings: BookingRepo
    relay: RelayRepo
    contacts: ContactRepo
    duty: DutyRepo
    clock: Clock  # the time the app runs on (tests move it); scheduled reminders use it

    @classmethod
    def create(cls, db: Database, *, clock: Clock | None = None) -> Repositories:
        clock = clock or Clock()
        return cls(
            db=db,
            users=UserRepo(db),
            inbox=InboxRepo(db),
            replies=ReplyRepo(db),
            fsm=SQLiteStorage(db),
            leads=LeadRepo(db),
            consents=ConsentRepo(db),
            privacy=PrivacyRepo(db),
            funnel=FunnelRepo(db),
            referrals=ReferralRepo(db),
            kv=KvRepo(db),
            cards=CardRepo(db),
            pipeline=PipelineRepo(db),
            outbox=OutboxRepo(db),
            stats=StatsRepo(db),
            nudges=NudgeRepo(db, clock),
            bookings=BookingRepo(db),
            relay=RelayRepo(db),
            contacts=ContactRepo(db),
            duty=DutyRepo(db),
            clock=clock,
        )

    async def erase_person(self, user_id: int) -> list[int]:
        """Erase everything personal about one user (/delete_me) and forget what the
        repositories keep of them in memory; return the ids of the erased leads.

        Once committed, the WAL is checkpointed and truncated: with secure_delete the main
        file keeps no trace of the erased rows, and the WAL no old page image of them (inside
        a unit of work, right after the unit commits)."""
        try:
            erased = await self.privacy.erase(user_id)
        finally:
            self.users.forget_cache(user_id)
            self.fsm.forget_user(user_id)
        await self.db.truncate_wal()
        return erased
