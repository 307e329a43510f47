"""Telegram misbehaves on every method the bot uses, during owners' journeys and
consultants' work (in process: the service loop of `machine.Machine`, the outbox sender
included, against the emulator's fault injection).

First a fault-free working day is recorded to learn which Bot API methods the bot calls;
every one of them then fails in turn, with every kind of failure that makes sense for it:
429 with retry_after, 500, 502, a timeout, a dropped connection, 403 (the owner blocked the
bot; the bot was removed from the group), chat not found, and the group becoming a
supergroup. A fault hits at a random point of a journey (seeded), once or persistently
(more often than the inline retries try).

Demanded: nothing crashes (the intake and the outbox sender keep running, no update fails
in the inbox); faults the retries can absorb (429, 5xx, timeouts, network, a few times)
are invisible — the owner walks on as if nothing happened and nothing is logged as an
error; after a fault the retries cannot absorb, the owner can carry on where they were
(/diagnostic picks the request up) and ends with their lead; once faults stop, every lead
has exactly one card in the consultants' group (wherever the group moved), and a claim
that failed can be pressed again and counts once.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ShiftedClock
from bot.db.leads import Notification
from tests.consultants.office import lead_draft
from tests.e2e.harness import BOT_ID, BotProcess
from tests.kit import EmulatorClient
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld
from tests.kit.views import MessageView
from tests.reliability.conftest import SEED, ErrorRecords, Figures
from tests.reliability.machine import LiveWorld, Machine
from tests.reliability.recordings import Staff, is_card_of, settings_for
from tests.reliability.stories import (
    CONTENT,
    Request,
    Step,
    lead_fields,
    lessons_steps,
    walk,
)

RETRYABLE = ("429", "500", "502", "timeout", "network")
RESUMED = re.compile("Продолжим заявку|уже у нас|Какой у компании оборот")
EXPECT = 0.5  # once an update is handled (retries included), its answer is there


class Shop(Staff):
    """The bot, a consultants' group (a basic group, so it can become a supergroup), a
    consultant and an admin, with short back-offs so that retries take milliseconds."""

    def __init__(
        self, folder: Path, *, clock: ShiftedClock | None = None,
        production_backoff: bool = False,
    ) -> None:
        """`clock`: the senders' clock (the test moves it); `production_backoff`: the bot's
        own back-offs instead of millisecond ones (with a clock the test moves)."""
        super().__init__()
        self.first_group = self.telegram.add_group(
            title="Консультанты", type="group", members=[self.consultant.id, self.admin.id]
        ).id
        settings = settings_for(
            folder / "bot.sqlite3", consultants_chat_id=self.first_group,
            admin_ids=frozenset({self.admin.id}), member_cache_seconds=0,
            outbox_poll_seconds=0.1, outbox_retry_base_seconds=0.05,
            outbox_retry_max_seconds=0.2, outbox_outage_probe_seconds=0.2,
            group_messages_per_minute=10_000,
        )
        self.machine = Machine(folder / "bot.sqlite3", settings, CONTENT, self.emulator,
                               with_sender=True,
                               retry_delay=None if production_backoff else 0.01, clock=clock)
        self.people = LiveWorld(self.machine, timeout=EXPECT)
        self.round: Round | None = None
        self.planned: tuple[Any, int] | None = None
        self.failures = 0  # failed Bot API calls the faults caused
        self.hit = False  # the current round's fault happened
        self.resumed = 0  # times an owner picked the request up again with /diagnostic

    @property
    def group_id(self) -> int:
        chat = self.telegram.chats[self.first_group]
        return chat.migrated_to or chat.id

    def fault(self, method: str, kind: str, count: int) -> None:
        self.planned = (self.telegram.inject_fault(
            method, kind, count=count, retry_after=1 if kind == "429" else None), count)

    def faults_stop(self) -> None:
        """No more faults; counts how many planned failures really happened."""
        if self.planned is not None:
            fault, count = self.planned
            left = fault.remaining if fault in self.telegram.faults.list() else 0
            self.failures += count - left
            self.hit = self.hit or count > left
            self.planned = None
        self.telegram.faults.clear()

    def round_over(self, error_log: ErrorRecords, errors_before: int) -> None:
        """The round's fault happened, an absorbed one logged no error, the bot is alive."""
        round_ = self.round
        assert round_ is not None
        if round_.absorbed:
            assert len(error_log.records) == errors_before, (
                f"{round_}: {error_log.describe()[errors_before:][:3]}")
        self.faults_stop()
        assert self.hit, f"{round_}: the fault never happened"
        self.hit = False
        self.alive()

    def alive(self) -> None:
        generation = self.machine.generation
        assert generation is not None and generation.task is not None
        assert not generation.task.done(), "the intake loop stopped"
        assert generation.app is not None
        for sender in (generation.app.outbox, generation.app.replies):
            assert sender.running, (
                f"{type(sender).__name__} stopped"
            )

    async def cards_of(self, lead_id: int) -> int:
        chats = {self.first_group, self.group_id}
        return sum(
            is_card_of(lead_id, m.text or "")
            for chat in chats for m in self.telegram.bot_messages(chat)
        )

    async def delivered(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait until the outbox has nothing pending."""
        deadline = time.monotonic() + timeout
        while await self.repo.db.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'"):
            if time.monotonic() > deadline:
                rows = await self.repo.db.fetchall(
                    "SELECT kind, lead_id, chat_id, attempts, next_attempt_at - ?, last_error "
                    "FROM outbox WHERE status = 'pending'", (time.time(),))
                raise AssertionError(
                    f"{self.round}: the outbox did not drain: {[tuple(r) for r in rows]}")
            await asyncio.sleep(0.02)


async def walk_through(owner: Person, steps: list[Step], start: int, shop: Shop) -> str:
    """Walk `steps` from `start`; when the bot cannot answer (a fault beyond the retries),
    let the faults stop and carry on the way an owner would: /diagnostic shows where they
    are. Returns "accepted" (saw «Заявка принята») or "recorded" (told it is in)."""
    index = start
    while index < len(steps):
        step = steps[index]
        await step.act(owner)
        try:
            await owner.expect(step.reply, timeout=EXPECT)
            index += 1
            continue
        except AssertionError:
            pass
        shop.faults_stop()
        shop.resumed += 1
        await owner.send("/diagnostic")
        shown = await owner.expect(RESUMED, timeout=EXPECT)
        if "уже у нас" in shown.content:
            return "recorded"
        question = await owner.last_bot_message()
        assert question is not None
        if step.reply in question.content:
            index += 1  # the answer was taken before the fault; the next question is shown
        elif index == 0 or steps[index - 1].reply in question.content:
            pass  # the answer was not taken: give it again
        else:
            raise AssertionError(f"after the fault, {owner} is shown {question.content[:80]!r}")
    return "accepted"


@dataclass(frozen=True)
class Round:
    method: str
    kind: str
    count: int

    @property
    def absorbed(self) -> bool:
        """Faults the inline retries hide completely."""
        return self.kind in RETRYABLE and self.count < 4

    def __str__(self) -> str:
        return f"{self.method} {self.kind}×{self.count}"


PRIVATE_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup",
                   "answerCallbackQuery")
GROUP_METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "getChatMember",
                 "getChat")


def owner_rounds() -> Iterator[Round]:
    for method in PRIVATE_METHODS:
        for kind in RETRYABLE:
            yield Round(method, kind, 1 if kind == "429" else 2)  # each 429 waits 1 s
        yield Round(method, "500", 6)  # more than the inline retries try
        yield Round(method, "403_blocked", 1)
    yield Round("getUpdates", "500", 2)
    yield Round("getUpdates", "502", 1)
    yield Round("getUpdates", "429", 1)
    yield Round("getUpdates", "timeout", 1)
    yield Round("getUpdates", "network", 1)


def group_rounds() -> Iterator[Round]:
    for method in GROUP_METHODS:
        for kind in RETRYABLE:
            yield Round(method, kind, 1 if kind == "429" else 2)
        yield Round(method, "502", 6)
    yield Round("sendMessage", "403_kicked", 2)
    yield Round("sendMessage", "chat_not_found", 2)
    yield Round("editMessageText", "chat_not_found", 1)
    yield Round("sendMessage", "migrate", 1)  # the group becomes a supergroup (once)


@pytest.mark.timeout(300)
@pytest.mark.reliability
async def test_faults_on_every_method_lose_nothing_and_crash_nothing(
    tmp_path: Path, figures: Figures, error_log: ErrorRecords,
) -> None:
    shop = Shop(tmp_path)
    rng = random.Random(SEED)
    owners: list[tuple[Person, Request, str]] = []
    async with shop.running() as machine:
        # -- a fault-free day: which methods does the bot use? -------------------------
        first = await shop.people.user("Анна")
        await walk(first, lessons_steps())
        request = Request(someone_elses_contact=True)
        await walk(first, request.steps())
        owners.append((first, request, "accepted"))
        lead = await shop.repo.leads.for_user(first.id)
        await shop.delivered()
        consultant = Person(shop.people, shop.consultant.to_dict(), chat_id=shop.group_id)
        await consultant.click("Взять в работу")
        await consultant.expect_answer("ваша")
        await consultant.send("/leads")
        await consultant.expect("Заявки")
        await machine.settle()
        used = {call.method for call in shop.telegram.calls()}
        tested = {r.method for r in [*owner_rounds(), *group_rounds()]}
        untested = used - tested - {"setMyCommands", "deleteWebhook", "getMe"}
        assert not untested, f"methods the bot uses without a fault test: {untested}"
        assert lead is not None

        # -- owners: a fault at a random step of each journey ---------------------------
        for number, round_ in enumerate(owner_rounds()):
            shop.round = round_
            owner = await shop.people.user(f"Владелец {number}")
            request = Request(segments=(("опт", 50),), strategic=0, phone_by_contact=True,
                              phone=f"+7 916 {100 + number:03d}-00-00")
            steps = request.steps()
            # Anywhere before the last two steps (a button and the submit), which make
            # sure every private-chat method is still called after the fault is planned.
            at = rng.randrange(len(steps) - 1)
            errors_before = len(error_log.records)
            await walk(owner, steps[:at])
            shop.fault(round_.method, round_.kind, round_.count)
            outcome = await walk_through(owner, steps, at, shop)
            shop.faults_stop()
            owners.append((owner, request, outcome))
            assert outcome == "accepted" or not round_.absorbed, round_
            shop.round_over(error_log, errors_before)

        # -- consultants: faults while cards are posted and leads claimed ----------------
        for number, round_ in enumerate(group_rounds()):
            shop.round = round_
            owner_id = shop.telegram.add_user(first_name=f"Клиент {number}", started=True).id
            errors_before = len(error_log.records)
            generation = machine.generation
            assert generation is not None and generation.app is not None
            generation.app.outbox.deliveries.threads.forget()  # it asks whether topics are on
            shop.fault(round_.method, round_.kind, round_.count)
            result = await shop.repo.leads.submit(
                lead_draft(owner_id, f"g{number}"), Notification("lead_card", None, {}))
            generation = machine.generation
            assert generation is not None and generation.app is not None
            generation.app.outbox.wake()
            lead_id = result.lead.id
            card = await _card(shop, lead_id)
            consultant = Person(shop.people, shop.consultant.to_dict(), chat_id=shop.group_id)
            claimed = False
            for _ in range(3):  # a press the faults swallowed is pressed again
                if card is None:
                    break
                await consultant.click_data(card, f"gc:{lead_id}:c")
                await machine.settle()
                stored = await shop.repo.leads.get(lead_id)
                if stored is not None and stored.status == "claimed":
                    claimed = True
                    break
                shop.faults_stop()
                card = await _card(shop, lead_id)
            shop.faults_stop()
            await shop.delivered()
            if card is None:
                card = await _card(shop, lead_id)
            assert card is not None, f"{round_}: lead {lead_id} never got a card"
            if not claimed:
                await consultant.click_data(card, f"gc:{lead_id}:c")
                await machine.settle()
            stored = await shop.repo.leads.get(lead_id)
            assert stored is not None and stored.status == "claimed", round_
            history = await shop.repo.pipeline.history(lead_id)
            assert len(history) == 1, f"{round_}: {len(history)} history rows"
            shop.round_over(error_log, errors_before)

        # -- once faults stop: every lead once, every card once ---------------------------
        await machine.settle()
        await shop.delivered()
        for owner, request, outcome in owners:
            row = await shop.repo.leads.for_user(owner.id)
            assert row is not None, f"{owner}: no lead ({outcome})"
            fields = lead_fields(row)
            expected = request.expected_lead()
            assert expected is not None
            if owner is not first:
                assert fields == expected, owner
        leads = await shop.repo.db.fetchall("SELECT id, status FROM leads WHERE qualified = 1")
        for lead_id, _ in leads:
            assert await shop.cards_of(lead_id) == 1, f"lead {lead_id}: cards"
        inbox = dict(await shop.repo.db.fetchall(
            "SELECT status, count(*) FROM inbox GROUP BY status"))
        assert set(inbox) == {"done"}, inbox
        unexpected = [
            r for r in error_log.records
            if not (r.name == "bot.app" and "unhandled" in r.getMessage())
            and not r.name.startswith("bot.outbox")
        ]
        assert not unexpected, [f"{r.name}: {r.getMessage()}" for r in unexpected][:5]
        rounds = len(list(owner_rounds())) + len(list(group_rounds()))
        figures.add("fault rounds (method × kind × count)", rounds)
        figures.add("journeys walked through faults", len(owners))
        figures.add("leads checked after faults", len(leads))
        figures.add("Bot API calls failed on purpose", shop.failures)
        figures.add("owners who picked their request up again after a fault", shop.resumed)
        figures.note(f"faults: methods covered {sorted(used)}")
        error_log.records.clear()  # the ones left were provoked on purpose, checked above
    assert shop.group_id != shop.first_group, "the group never became a supergroup"


async def _card(shop: Shop, lead_id: int, timeout: float = 10.0) -> Any:  # noqa: ASYNC109
    """The lead's card as posted (waits for the sender), or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = await shop.repo.cards.get(lead_id)
        if row is not None:
            message = shop.telegram.message(row.chat_id, row.message_id)
            if message is not None:
                return MessageView.of(message)
        await asyncio.sleep(0.02)
    return None


# -- the real process: faults on the start-up calls and on getUpdates over HTTP -----------


@pytest.mark.reliability
@pytest.mark.timeout(120)
@pytest.mark.process
async def test_the_real_process_starts_and_answers_through_transient_faults(
    emulator_url: str, client: EmulatorClient, tmp_path: Path, figures: Figures,
) -> None:
    remote = client.bot(BOT_ID)
    for method, kind in (("getMe", "500"), ("setMyCommands", "429"),
                         ("deleteWebhook", "network"), ("getUpdates", "502")):
        await remote.inject_fault(method, kind, count=2 if kind != "429" else 1,
                                  retry_after=1 if kind == "429" else None)
    process = BotProcess(emulator_url, remote, tmp_path)
    try:
        await process.start(timeout=60)
        owner = await HttpWorld(client, BOT_ID, timeout=20).user("Анна")
        await owner.send("/help")
        await owner.expect("/delete_me")
        assert await remote.faults() == [], "a start-up fault was never hit"
        assert await process.stop() == 0
    finally:
        if process.proc is not None and process.proc.returncode is None:
            await process.kill()
    log = process.log()
    assert "Traceback" not in log and " ERROR " not in log, log[-2000:]
    figures.add("fault rounds (method × kind × count)", 4)


@pytest.mark.reliability
@pytest.mark.timeout(120)
@pytest.mark.process
async def test_telegram_failing_at_start_up_ends_the_process_with_a_clear_message(
    emulator_url: str, client: EmulatorClient, tmp_path: Path,
) -> None:
    remote = client.bot(BOT_ID)
    await remote.inject_fault("getMe", "500", count=10)
    process = BotProcess(emulator_url, remote, tmp_path)
    with pytest.raises(AssertionError, match="bot exited with 1"):
        await process.start(timeout=60)
    log = process.log()
    assert "Traceback" not in log and "CRITICAL" not in log, log[-1500:]


# -- a 30-second outage of Telegram at every step of the request -------------------------

OUTAGE_SECONDS = 30.0
OUTAGE_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup",
                  "answerCallbackQuery")
OUTAGE_KINDS = ("500", "429", "timeout", "502", "network")


@pytest.mark.reliability
@pytest.mark.timeout(600)
async def test_a_30_second_outage_at_any_step_of_the_request_loses_nothing(
    tmp_path: Path, figures: Figures, error_log: ErrorRecords,
) -> None:
    """Telegram refuses every call for 30 seconds (by the senders' clock, production
    back-offs) right as the owner answers — at each step of the request in turn, submit
    included. The answer is committed before anything is sent, the replies wait and go out
    once Telegram is back, in order: every request ends as exactly one lead with one card,
    and the owner saw the confirmation and the checklist."""
    request = Request(segments=(("розница", 60), ("опт", None)), strategic=1,
                      phone_by_contact=True)
    steps = request.steps()
    clock = ShiftedClock()
    shop = Shop(tmp_path, clock=clock, production_backoff=True)
    owners = []
    async with shop.running() as machine:
        for at, step in enumerate(steps):
            owner = await shop.people.user(f"Владелец {at}")
            await walk(owner, steps[:at])
            kind = OUTAGE_KINDS[at % len(OUTAGE_KINDS)]
            for method in OUTAGE_METHODS:
                shop.telegram.inject_fault(
                    method, kind, count=100_000, retry_after=5 if kind == "429" else None
                )
            shop.people.replies_owed_ok = True
            await step.act(owner)  # the update arrives and is handled during the outage
            for _ in range(int(OUTAGE_SECONDS // 5)):
                clock.advance(5.0)  # the senders retry with their back-off, and fail
                await machine.settle_updates()
            shop.telegram.faults.clear()  # Telegram is back
            shop.people.replies_owed_ok = False
            clock.advance(OUTAGE_SECONDS)  # every back-off is over: what waits goes out
            await owner.expect(step.reply, timeout=10)
            await walk(owner, steps[at + 1:], timeout=10)
            owners.append(owner)
        await shop.delivered()
        for owner in owners:
            row = await shop.repo.leads.for_user(owner.id)
            assert row is not None, owner
            assert lead_fields(row) == request.expected_lead(), owner
            assert await shop.cards_of(row.id) == 1, owner
            shown = [m.text or "" for m in shop.telegram.bot_messages(owner.id)]
            assert any("Заявка принята" in text for text in shown), owner
            assert any("чек-лист" in text for text in shown), owner
        figures.add("30-second outages survived (one at each step of the request)", len(owners))
        error_log.records.clear()  # retries are logged as warnings; nothing else is expected
