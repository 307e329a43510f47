"""The hostile corpus (see `hostile.py`) in every state a person can be in, in process.

The bot runs as the service runs it (durable polling into the inbox, the update processor,
the dispatcher, the outbox sender) against the emulator. One person is walked into each
state — a newcomer, reading lessons, every question of the diagnostic, the review, after
submitting, after declining, not qualified, a consultant in their private chat — and then
sends input after input; after each, their state is put back as it was, so every input
meets the state it was meant for.

Demanded for every input: nothing is logged as an error (the dispatcher's `on_error`, the
processor's "update failed", anything else at ERROR), no update fails in the inbox, a
message in a private chat gets a reply (or, from an owner who sent a request, goes on to the
consultants' thread), a button press gets its callback answered. In the
consultants' group and in a stranger's group, messages and presses from people who are not
consultants change nothing at all (leads, history, notes, cards, outbox, settings).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.domain import OutboxKind
from tests.cards import is_card_of
from tests.kit.drivers import Person
from tests.reliability.conftest import ErrorRecords, Figures
from tests.reliability.hostile import Input, corpus, sampler
from tests.reliability.machine import LiveWorld, Machine
from tests.reliability.recordings import Staff, settings_for
from tests.reliability.stories import (
    CONTENT,
    Request,
    Step,
    lessons_steps,
    send,
    walk,
)

CONTACT_PHONE = "+79161234567"
BUSINESS_TABLES = (
    "leads", "lead_history", "lead_notes", "lead_cards", "lead_messages", "outbox", "kv",
    "consents", "fsm",
)


@dataclass
class Spot:
    """A person in a state, with the inputs to send there and their state to restore."""

    name: str
    person: Any
    inputs: list[Input]
    fsm: list[tuple[Any, ...]] = field(default_factory=list)
    user_row: tuple[Any, ...] | None = None


def private_states() -> list[tuple[str, list[Step], bool]]:
    """(name, steps into the state, gets the whole corpus)."""
    request = Request(phone_by_contact=False)
    steps = request.steps()
    key_replies = {"Какой у компании оборот", "назовёте", "Ваш телефон", "Проверьте заявку"}
    states: list[tuple[str, list[Step], bool]] = [("a newcomer", [], True)]
    for count in range(1, len(steps)):
        reply = steps[count - 1].reply
        first = reply not in {s.reply for s in steps[: count - 1]}
        states.append((f"asked «{reply}» (after {count} steps)", steps[:count],
                       reply in key_replies and first))
    states += [
        ("reading lessons", lessons_steps()[:2], True),
        ("submitted", steps, True),
        ("submitted too", Request(name="Вера", phone="+7 916 555-44-33").steps(), False),
        ("declined consent", Request(consent=False).steps(), False),
        ("not qualified", Request(turnover="lt1").steps(), False),
        ("asked to confirm a colleague's number", Request(someone_elses_contact=True).steps()[:-3],
         False),
        ("finished the lessons", [*lessons_steps()], False),
        ("cancelled", [send("/diagnostic", "оборот"), send("/cancel", "отменено")], False),
    ]
    return states


class Office(Staff):
    """The machine with a consultants' group, a consultant, an admin and a stranger's group."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        t = self.telegram
        self.outsider = t.add_user(first_name="Олег", started=True)
        self.group = t.add_group(
            title="Консультанты", type="supergroup",
            members=[self.consultant.id, self.admin.id], bot_admin=True,
        )
        self.strangers = t.add_group(
            title="Чужая группа", type="supergroup", members=[self.outsider.id], bot_admin=True,
        )
        settings = settings_for(
            folder / "bot.sqlite3", consultants_chat_id=self.group.id,
            admin_ids=frozenset({self.admin.id}), member_cache_seconds=0,
            # Owners who sent a request pass hundreds of hostile messages on to the group:
            # the emulator has no flood limits here, so neither does the sender.
            group_messages_per_minute=100_000,
        )
        self.machine = Machine(folder / "bot.sqlite3", settings, CONTENT, self.emulator,
                               with_sender=True)
        self.people = LiveWorld(self.machine)

    @property
    def db(self) -> Any:
        return self.repo.db

    async def snapshot(self, spot: Spot) -> None:
        uid = spot.person.id
        spot.fsm = [tuple(r) for r in await self.db.fetchall(
            "SELECT key, user_id, chat_id, state, data, update_id FROM fsm WHERE user_id = ?",
            (uid,))]
        row = await self.db.fetchone(
            "SELECT lesson, lessons_done_at FROM users WHERE id = ?", (uid,))
        spot.user_row = tuple(row) if row is not None else None

    async def restore(self, spot: Spot) -> None:
        uid = spot.person.id
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM fsm WHERE user_id = ?", (uid,))
            await conn.executemany(
                "INSERT INTO fsm (key, user_id, chat_id, state, data, update_id) "
                "VALUES (?, ?, ?, ?, ?, ?)", spot.fsm)
            if spot.user_row is not None:
                await conn.execute(
                    "UPDATE users SET lesson = ?, lessons_done_at = ? WHERE id = ?",
                    (*spot.user_row, uid))
        self.repo.fsm.forget_user(uid)  # rows replaced behind its back

    async def business_state(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [tuple(r) for r in await self.db.fetchall(f"SELECT * FROM {table} ORDER BY 1")]
            for table in BUSINESS_TABLES
        }

    def send(self, user: dict[str, Any], chat_id: int, item: Input, serial: int) -> Any:
        """Deliver one input from `user` in `chat_id`; returns (event seq, query id)."""
        t = self.telegram
        uid = user["id"]
        if item.kind == "text":
            assert item.text is not None
            receipt = t.send_text(uid, item.text, chat_id=chat_id)
        elif item.kind == "media" and item.media == "contact":
            receipt = t.share_contact(uid, CONTACT_PHONE, contact_user_id=uid, chat_id=chat_id)
        elif item.kind == "media" and item.media == "contact_other":
            receipt = t.share_contact(uid, "+79031112233", first_name="Секретарь",
                                      chat_id=chat_id)
        elif item.kind == "media":
            assert item.media is not None
            receipt = t.send_media(uid, item.media, chat_id=chat_id, caption=item.text)
        elif item.kind == "click":
            assert item.data is not None
            bot_messages = t.bot_messages(chat_id)
            # Alternately the newest and the oldest message: stale and current buttons.
            target = (bot_messages[-1] if serial % 2 else bot_messages[0]).message_id \
                if bot_messages else 999_999
            receipt = t.click(uid, chat_id, target, item.data, allow_non_member=True)
        else:
            assert item.raw is not None
            payload = item.raw(user, 10_000_000 + serial)
            if chat_id != uid:  # the same shapes, posted in a group
                payload = _into_group(payload, t.chats[chat_id].to_telegram())
            receipt = t.inject_update(payload)
        return receipt.seq, receipt.query_id, receipt.update

    def replied(self, chat_id: int, after: int) -> bool:
        return any(
            e.kind == "message" and e.message is not None and e.message.from_bot
            for e in self.telegram.events(after, chat_id)
        )

    async def relayed(self, user_id: int, update: dict[str, Any] | None) -> bool:
        """An owner's message went to the consultants' thread (after a request, the bot
        passes messages on rather than answering them; the owner sees a mark once the
        consultants have it)."""
        message = (update or {}).get("message") or {}
        lead = await self.repo.leads.for_user(user_id)
        if lead is None or "message_id" not in message:
            return False
        key = f"{OutboxKind.relay_to_group}:{lead.id}:{message['message_id']}"
        found = await self.db.fetchval("SELECT 1 FROM outbox WHERE dedup_key = ?", (key,))
        return found is not None

    async def drain_outbox(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Wait until the outbox sender has posted everything owed (relayed messages)."""
        deadline = time.monotonic() + timeout
        while await self.db.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'"):
            assert time.monotonic() < deadline, "the outbox did not drain"
            await asyncio.sleep(0.02)

    def answered(self, query_id: str | None, update: dict[str, Any] | None) -> bool:
        if query_id is not None:
            record = self.telegram.callback_queries.get(query_id)
            return record is not None and record.answered
        raw_id = (update or {}).get("callback_query", {}).get("id")
        return any(c.params.get("callback_query_id") == raw_id
                   for c in self.telegram.calls("answerCallbackQuery"))


def _into_group(payload: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
    """Move every private `chat` object of a raw update into the group."""
    if isinstance(payload, dict):
        return {
            key: (chat if key == "chat" and isinstance(value, dict)
                  and value.get("type") == "private" else _into_group(value, chat))
            for key, value in payload.items()
        }
    if isinstance(payload, list):
        return [_into_group(value, chat) for value in payload]
    return payload


@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")
@pytest.mark.reliability
async def test_hostile_inputs_in_every_state_are_answered_and_change_nothing_they_should_not(
    tmp_path: Path, figures: Figures, error_log: ErrorRecords,
) -> None:
    office = Office(tmp_path)
    everything = corpus()
    assert len(everything) >= 200
    some = sampler(everything)
    spots: list[Spot] = []
    async with office.running() as machine:
        # -- people in every private state --------------------------------------------
        for name, steps, whole in private_states():
            person = await office.people.user("Анна")
            await walk(person, steps)
            spots.append(Spot(name, person, everything if whole else some))
        anna = Person(office.people, office.consultant.to_dict(), chat_id=office.consultant.id)
        spots.append(Spot("a consultant in their private chat", anna, some))
        await machine.settle()
        for spot in spots:
            await office.snapshot(spot)

        problems: list[str] = []
        sent = 0
        rounds = max(len(spot.inputs) for spot in spots)
        for serial in range(rounds):
            batch = []
            for spot in spots:
                if serial < len(spot.inputs):
                    item = spot.inputs[serial]
                    receipt = office.send(spot.person.user, spot.person.id, item, serial)
                    batch.append((spot, item, receipt))
            await machine.settle()
            for spot, item, (seq, query_id, update) in batch:
                sent += 1
                if item.expects == "reply" and not office.replied(spot.person.id, seq) and (
                    not await office.relayed(spot.person.id, update)
                ):
                    problems.append(f"{spot.name}: no reply to {item.name}")
                if item.expects == "answer" and not office.answered(query_id, update):
                    problems.append(f"{spot.name}: press not answered: {item.name}")
                await office.restore(spot)
        assert not problems, f"{len(problems)} problems, e.g. {problems[:8]}"

        # -- groups: strangers change nothing -------------------------------------------
        await office.drain_outbox()  # what owners wrote above reaches the thread first
        before = await office.business_state()
        # Not moved into the groups: "the bot was blocked" is Telegram's own report about
        # the bot, which nobody else can send (in a group it would mean the bot was removed).
        group_inputs = [i for i in everything if i.name != "raw: bot blocked by the person"]
        posted_before = len(office.telegram.bot_messages(office.group.id))
        outsider = office.outsider.to_dict()
        presses = []
        for serial, item in enumerate(group_inputs):
            # In a group the bot was added to by someone else: its members are no one.
            receipts = [office.send(outsider, office.strangers.id, item, serial)]
            # In the consultants' group, by someone who is not (any more) a member.
            if item.kind in ("click", "raw"):
                receipts.append(office.send(outsider, office.group.id, item, serial))
            sent += len(receipts)
            if item.expects == "answer":
                presses += [(item, receipt) for receipt in receipts]
            if serial % 20 == 19:
                await machine.settle()
        await machine.settle()
        unanswered = [item.name for item, (_, query_id, update) in presses
                      if not office.answered(query_id, update)]
        assert not unanswered, f"presses in groups not answered: {unanswered[:5]}"
        # A consultant presses buttons of one lead on another lead's card, and the corpus'
        # forged data on every card: each press is refused, nothing moves.
        lead_ids = [row[0] for row in await office.db.fetchall("SELECT lead_id FROM lead_cards")]
        cards = [m for m in office.telegram.bot_messages(office.group.id)
                 if any(is_card_of(lead, m.text or "") for lead in lead_ids)]
        assert len(cards) >= 2 and len(lead_ids) >= 2
        forged = [f"gc:{lead}:{action}" for lead in lead_ids for action in "ctsdln"]
        forged += [i.data for i in everything if i.kind == "click" and i.data is not None]
        for card in cards:
            own = [row[0] for row in await office.db.fetchall(
                "SELECT lead_id FROM lead_cards WHERE message_id = ?", (card.message_id,))]
            for data in forged:
                if data.startswith(tuple(f"gc:{lead}:" for lead in own)):
                    continue  # the card's own buttons are not forged
                receipt = office.telegram.click(
                    office.consultant.id, office.group.id, card.message_id, data)
                await machine.settle()
                sent += 1
                record = office.telegram.callback_queries[receipt.query_id]
                assert record.answered and record.answer and record.answer.get("show_alert"), (
                    data, record.answer)
        await machine.settle()
        assert await office.business_state() == before
        strangers_said = [m.text for m in office.telegram.bot_messages(office.strangers.id)]
        assert set(strangers_said) <= {CONTENT.text("group_hints.bind_denied")}, strangers_said
        assert len(office.telegram.bot_messages(office.group.id)) == posted_before

        inbox = dict(await office.db.fetchall(
            "SELECT status, count(*) FROM inbox GROUP BY status"))
        assert set(inbox) == {"done"}, inbox
        assert not error_log.records, error_log.describe()[:5]
        figures.add("hostile inputs in the corpus", len(everything))
        figures.add("hostile inputs sent (all states and chats)", sent)
        figures.add("states the hostile corpus was sent in", len(spots) + 2)



@pytest.mark.timeout(60)
async def test_an_update_aiogram_cannot_parse_does_not_stop_the_intake(tmp_path: Path) -> None:
    office = Office(tmp_path)
    async with office.running() as machine:
        owner = office.telegram.add_user(first_name="Анна", started=True)
        office.telegram.inject_update({"message": {
            "message_id": 1, "date": 0, "from": owner.to_telegram(),
            "chat": {"id": owner.id, "type": "private", "first_name": "Анна"},
            "poll": {"id": "1", "question": "?", "options": [{"text": "да", "voter_count": 0}],
                     "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                     "type": "regular", "allows_multiple_answers": False}}})
        receipt = office.telegram.send_text(owner.id, "/help")
        try:
            await machine.settle(timeout=5)
        except AssertionError:
            pass
        assert office.replied(owner.id, receipt.seq), "the bot no longer receives anything"
        # Kept (for whoever investigates) and acknowledged, not retried.
        failed = await office.db.fetchall(
            "SELECT error FROM inbox WHERE status = 'failed'")
        assert [row[0].startswith("unparseable: ") for row in failed] == [True]
        assert not office.telegram.pending_updates()
