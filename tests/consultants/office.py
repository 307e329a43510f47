"""A consultants' office in the emulator: a group with two consultants and an admin, an
owner, the real dispatcher, and the outbox sender running on an injectable clock.

Updates take the service's way: each is committed to the inbox and handled by the app's
update processor (one transaction, replies sent after the commit)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot

from bot.app import create_app, create_bot
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.content import Content
from bot.db import Database
from bot.db.leads import LeadDraft, Notification
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.emulator import BotWorld, Emulator
from bot.group.access import Consultants
from bot.nudges.sender import NudgeSender
from bot.outbox import OutboxSender
from tests.cards import is_card_of
from tests.databases import fresh_database
from tests.kit import EmulatorSession, Group, InProcessWorld, MessageView, Person
from tests.waiting import wait_until

TOKEN = "123456789:EMULATOR-test-token_in-process"
CONTENT = Content()

SEGMENTS = [{"name": "Опт", "share": 60}, {"name": "Розница", "share": 40}]


def lead_draft(user_id: int, draft: str = "d1", **fields: Any) -> LeadDraft:
    """A qualified request as the diagnostic flow would submit it."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "draft_id": draft,
        "qualified": True,
        "qualification": (
            "Оборот: более 3, до 10 млн ₽ ✅ (условие — более 3 млн ₽ в месяц); "
            "на рынке: более 5, до 10 лет ✅ (условие — более 3 лет)"
        ),
        "answers": {
            "turnover": "3_10", "years": "5_10", "dept_type": 2, "lead_source": "sales",
            "segments": SEGMENTS, "strategic": 1,
        },
        "name": "Ольга Владелец",
        "company": "ООО «Ромашка»",
        "position": "Директор",
        "phone": "+79991234567",
        "call_time": "Утром, 9–12",
    }
    values.update(fields)
    return LeadDraft(**values)


class SenderPasses:
    """Counts the outbox sender's passes over the outbox (its loop's turns), so that a test
    waits for one (a pass that began after it asked, and ended) instead of sleeping."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self.begun = self.ended = 0
        turn = sender.turn

        async def counted() -> float:
            self.begun += 1
            try:
                return await turn()
            finally:
                self.ended += 1

        sender.turn = counted  # type: ignore[method-assign]

    @property
    def running(self) -> bool:
        return self.sender.running

    async def next(self, wait: float = 2.0) -> None:
        """Make the sender look at the outbox now and return once it has, all through."""
        if not self.running:
            raise AssertionError("the outbox sender is not running")
        begun = self.begun
        self.sender.wake()
        await wait_until(lambda: self.ended > begun, wait, "a pass of the outbox sender")


async def fill_in_a_request(owner: Person, name: str, phone: str) -> None:
    """The owner's diagnostic request in their chat with the bot (two segments, «Розница»
    strategic, ООО Ромашка), up to the review."""
    await owner.send("/diagnostic")
    await owner.click("более 3, до 10 млн ₽")
    await owner.click("более 5, до 10 лет")
    await owner.click("Сам привлекает и продаёт")
    await owner.click("Отдел продаж")
    await owner.click("2")
    await owner.send("Опт")
    await owner.send("60")
    await owner.send("Розница")
    await owner.send("40")
    await owner.click("Розница")
    await owner.click("Даю согласие")
    await owner.send(name)
    await owner.send("ООО Ромашка")
    await owner.send("Директор")
    await owner.send(phone)
    await owner.click("Утром, 9–12")
    await owner.expect("Проверьте заявку")


@dataclass
class Office:
    emulator: Emulator
    telegram: BotWorld
    world: InProcessWorld
    bot: Bot
    repo: Repositories
    db: Database
    settings: Settings
    content: Content
    clock: ShiftedClock
    sender: OutboxSender
    consultants: Consultants
    group_id: int
    anna: Person  # consultant
    boris: Person  # consultant
    ada: Person  # admin (ADMIN_IDS) and member
    owner_id: int
    passes: SenderPasses
    nudges: NudgeSender  # the reminder sender: not started, a test calls deliver_due()

    def use_sender(self, sender: OutboxSender) -> None:
        """Another sender took over (the office's own one was stopped)."""
        self.sender, self.passes = sender, SenderPasses(sender)

    async def looked(self) -> None:
        """The sender has looked at the outbox at the clock's time now (to check that
        something is not sent yet)."""
        await self.passes.next()

    async def submit(self, user_id: int | None = None, draft: str = "d1", **fields: Any) -> LeadRow:
        """A lead submitted through LeadRepo.submit (with its lead_card notification)."""
        result = await self.repo.leads.submit(
            lead_draft(self.owner_id if user_id is None else user_id, draft, **fields),
            Notification("lead_card", None, {}),
        )
        self.sender.wake()
        return result.lead

    async def lead_in_its_topic(self) -> tuple[LeadRow, int]:
        """A lead submitted (`submit`), its forum topic made and everything delivered: the lead
        and the topic's thread id."""
        lead = await self.submit()
        thread = await self.topic_of(lead.id)
        await self.idle()
        return lead, thread

    @property
    def owner(self) -> Person:
        """The office's owner in their private chat with the bot."""
        return Person(self.world, self.telegram.user(self.owner_id).to_dict(),
                      chat_id=self.owner_id)

    def person(self, user_id: int) -> Person:
        """Someone in their private chat with the bot."""
        return Person(self.world, self.telegram.user(user_id).to_dict(), chat_id=user_id)

    async def topic_of(self, lead_id: int) -> int:
        """The thread id of the lead's forum topic (it must have one)."""
        await self.card(lead_id)
        topic = await self.repo.relay.topic(lead_id)
        assert topic is not None, f"lead {lead_id} has no topic"
        return topic.thread_id

    def in_thread(self, thread_id: int | None, *, include_deleted: bool = False) -> list[MessageView]:
        """Every message of one forum topic (None: the General topic), oldest first."""
        return [
            MessageView.from_dict(m.to_dict())
            for m in self.telegram.messages(self.group_id, include_deleted)
            if m.message_thread_id == thread_id and m.kind != "service"
        ]

    def new_owner(self, first_name: str = "Владелец") -> int:
        return self.telegram.add_user(first_name=first_name, started=True).id

    def group_bot_messages(self, chat_id: int | None = None) -> list[MessageView]:
        chat = self.group_id if chat_id is None else chat_id
        return [MessageView.from_dict(m.to_dict()) for m in self.telegram.bot_messages(chat)]

    def cards(self, lead_id: int, chat_id: int | None = None) -> list[MessageView]:
        """Every bot message in the group that is a card (or tombstone) of this lead."""
        return [
            m for m in self.group_bot_messages(chat_id)
            if is_card_of(lead_id, m.content, tombstones=True)
        ]

    async def card(self, lead_id: int, wait: float = 2.0) -> MessageView:
        """The lead's card as it is now, waiting up to `wait` s for the sender to post it."""
        deadline = time.monotonic() + wait
        while True:
            row = await self.repo.cards.get(lead_id)
            if row is not None:
                message = self.telegram.message(row.chat_id, row.message_id)
                if message is not None:
                    return MessageView.from_dict(message.to_dict())
            if time.monotonic() > deadline:
                raise AssertionError(f"no card of lead {lead_id} was posted")
            await asyncio.sleep(0.005)

    async def idle(self, wait: float = 2.0) -> None:
        """Wait until the outbox has nothing due now (everything sent or scheduled later) and
        the sender has finished what it was doing."""
        deadline = time.monotonic() + wait
        while True:
            heads = await self.repo.outbox.heads()
            if all(row.next_attempt_at > self.clock.now() for row in heads):
                if not self.passes.running:
                    return
                await self.passes.next()  # a pass in flight has landed
                heads = await self.repo.outbox.heads()
                if all(row.next_attempt_at > self.clock.now() for row in heads):
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"outbox still busy: {heads}")
            await asyncio.sleep(0.005)

    async def press(self, person: Person, message: MessageView, label: str) -> dict[str, Any]:
        """Press a button on `message` and return the bot's callback answer."""
        await person.click(label, on=message)
        return await person.expect_answer()

    def world_group(self, chat_id: int) -> Group:
        chat = self.telegram.chats[chat_id]
        return Group(chat.id, chat.title or "", chat.type, chat.is_forum)

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [call.params for call in self.telegram.calls(method)]

    def callback_update(self, user_id: int, message: MessageView, data: str) -> dict[str, Any]:
        """A raw callback query (e.g. from someone the emulator would not let click)."""
        user = self.telegram.user(user_id)
        chat = self.telegram.chats[message.chat_id]
        stored = self.telegram.message(message.chat_id, message.message_id)
        query_id = f"forged{self.telegram.next_serial()}"
        from bot.emulator.models import CallbackQueryRecord

        self.telegram.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, chat.id, message.message_id, data, time.time()
        )
        return {
            "callback_query": {
                "id": query_id,
                "from": user.to_telegram(),
                "message": stored.to_telegram() if stored else {
                    "chat": chat.to_telegram(), "message_id": message.message_id, "date": 0,
                },
                "chat_instance": "1",
                "data": data,
            }
        }

    async def inject(self, payload: dict[str, Any]) -> None:
        self.telegram.inject_update(payload)
        await self.world.settle()

    def answer_of(self, query_id: str) -> dict[str, Any]:
        records = self.telegram.callback_answers(query_id)
        assert records and records[0].answered, f"callback {query_id} not answered"
        return records[0].to_dict()["answer"]


@asynccontextmanager
async def open_office(
    db_path: Path,
    *,
    group_type: str = "supergroup",
    is_forum: bool = False,
    bind_by_setting: bool = True,
    thread_id: int | None = None,
    clock: ShiftedClock | None = None,
    start_sender: bool = True,
    emulator: Emulator | None = None,
    sender_bot: Bot | None = None,
    bot_admin: bool = False,
    **settings_fields: Any,
) -> AsyncIterator[Office]:
    """`sender_bot`: the Bot the outbox sender uses (e.g. one talking HTTP to the emulator);
    by default the dispatcher's in-process bot. `bot_admin`: the bot is an administrator of
    the group (Telegram then tells it of members' changes)."""
    emulator = emulator or Emulator()
    telegram = emulator.world(TOKEN)
    anna = telegram.add_user(first_name="Анна", last_name="Консультант", started=True)
    boris = telegram.add_user(first_name="Борис", username="boris_k", started=True)
    ada = telegram.add_user(first_name="Ада", last_name="Админ", started=True)
    owner = telegram.add_user(first_name="Ольга", username="olga_owner", started=True)
    group = telegram.add_group(
        title="Консультанты", type=group_type, is_forum=is_forum,
        members=[anna.id, boris.id, ada.id], bot_admin=bot_admin,
    )
    if is_forum and thread_id is not None:
        telegram.create_topic(group.id, "Заявки", by=ada.id, thread_id=thread_id)
    fields: dict[str, Any] = {
        "bot_token": TOKEN,
        "database_path": db_path,
        "admin_ids": frozenset({ada.id}),
        "consultants_chat_id": group.id if bind_by_setting else None,
        "consultants_thread_id": thread_id,
        "member_cache_seconds": 0,
        "outbox_poll_seconds": 0.5,
    }
    fields.update(settings_fields)
    settings = Settings(_env_file=None, **fields)  # type: ignore[call-arg]
    db = await fresh_database(db_path)
    clock = clock or ShiftedClock()
    repo = Repositories.create(db, clock=clock)
    bot = create_bot(settings, session=EmulatorSession(emulator))
    app = create_app(
        settings, repo=repo, content=CONTENT, bot=bot, clock=clock, outbox_bot=sender_bot
    )
    sender, consultants = app.outbox, app.consultants
    world = InProcessWorld.for_app(app, timeout=2.0)
    office = Office(
        emulator=emulator, telegram=telegram, world=world, bot=bot, repo=repo, db=db,
        settings=settings, content=CONTENT, clock=clock, sender=sender,
        consultants=consultants, group_id=group.id,
        anna=Person(world, anna.to_dict(), chat_id=group.id, thread_id=thread_id),
        boris=Person(world, boris.to_dict(), chat_id=group.id, thread_id=thread_id),
        ada=Person(world, ada.to_dict(), chat_id=group.id, thread_id=thread_id),
        owner_id=owner.id, passes=SenderPasses(sender), nudges=app.nudges,
    )
    if start_sender:
        sender.start()
    try:
        yield office
    finally:
        await sender.stop(1.0)
        await bot.session.close()
        await db.close()
