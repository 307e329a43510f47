"""Duplicate and out-of-order updates, with crashes in between (property test, in process).

What Telegram guarantees, and so what is modelled: updates of one chat reach the bot in the
order they happened (one update_id sequence; a person cannot press a button before the bot
has shown it), while updates of different chats interleave in any way, and the bot's
processor handles different chats concurrently, so their handling is reordered further.
Any update can come again with the same update_id at any later time: getUpdates delivers a
batch again when its offset was not confirmed before a restart, webhooks retry.

Hypothesis draws a few recorded conversations (see `recordings`), an interleaving of
them, duplicates of earlier updates at arbitrary points, and crashes of the process before
arbitrary operations (also right after restarts, while unfinished updates are replayed).
Whatever it draws, the end must be what the conversations produced one by one without
interference: one lead per finished request with its answers, one card per lead once the
outbox is delivered, no outbox row without its lead or a direct recipient, every person saw
the same messages, every update handled, nothing logged as an error.
"""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.reliability.conftest import SEED, ErrorRecords, Figures
from tests.reliability.recordings import (
    FIRST_USER,
    Chat,
    Outcome,
    Replay,
    record,
    same_conversation,
)
from tests.reliability.stories import Request, Step, lessons_steps, random_request

EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "25"))


def _stories() -> dict[str, list[Step]]:
    rng = random.Random(7)
    stories: dict[str, list[Step]] = {
        f"request {index}": random_request(rng, index).steps() for index in range(6)
    }
    stories["not qualified"] = Request(turnover="lt1", years="gt10").steps()
    stories["declined"] = Request(consent=False, segments=(("опт", 40),), strategic=0).steps()
    stories["lessons"] = lessons_steps()
    return stories


STORIES = _stories()


async def conversation(name: str) -> Chat:
    return await record("Анна", STORIES[name], key=name)


# Most of the time the process lives on; sometimes it dies a few operations later.
dooms = st.one_of(st.none(), st.none(), st.none(), st.integers(min_value=1, max_value=40))


async def play(names: list[str], data: st.DataObject) -> tuple[list[Chat], Outcome]:
    chats = [
        (await conversation(name)).moved_to(FIRST_USER + index)
        for index, name in enumerate(names)
    ]
    run = Replay(chats, with_group=True)

    async def catch_up() -> None:
        await run.settle(data.draw(dooms, label="a restarted process dies after ops"))
        acted.clear()

    try:
        await run.start(data.draw(dooms, label="the first process dies before op"))
        cursor = {chat.id: 0 for chat in chats}
        acted: set[int] = set()  # chats whose last update may not be handled yet
        while waiting := [chat.id for chat in chats if cursor[chat.id] < len(chat.actions)]:
            chat_id = data.draw(st.sampled_from(waiting), label="next chat to act")
            if chat_id in acted:
                # This person waits for the answer to their last action before the next one.
                await catch_up()
            run.act(chat_id, cursor[chat_id])
            cursor[chat_id] += 1
            acted.add(chat_id)
            run.doom(data.draw(dooms, label="the process dies after ops"))
            while data.draw(st.integers(0, 5), label="duplicates now") == 5:
                run.duplicate(data.draw(st.integers(0, 10_000), label="which update again"))
            if data.draw(st.integers(0, 3), label="let the bot catch up") == 3:
                await catch_up()
        await catch_up()
        for _ in range(data.draw(st.integers(0, 3), label="late duplicates")):
            run.duplicate(data.draw(st.integers(0, 10_000), label="which update again"))
        return chats, await run.finish()
    finally:
        await run.abort()


PHASES = (
    list(Phase)
    if os.environ.get("RELIABILITY_SHRINK")
    else [Phase.explicit, Phase.reuse, Phase.generate]  # a failure is reported unshrunk, fast
)


@pytest.mark.timeout(600)
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    phases=PHASES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(
    names=st.lists(st.sampled_from(sorted(STORIES)), min_size=2, max_size=4),
    data=st.data(),
)
@pytest.mark.reliability
def test_duplicates_reordering_and_crashes_leave_one_lead_per_request(
    names: list[str], data: st.DataObject, figures: Figures, error_log: ErrorRecords,
) -> None:
    chats, result = asyncio.run(play(names, data))

    for chat in chats:
        problem = same_conversation(
            chat.shown, result.shown[chat.id], repeats=result.crashes
        )
        assert problem is None, f"{chat.user['id']}: {problem}"
        assert result.leads.get(chat.id) == chat.lead
    lead_ids = set(result.lead_ids.values())
    for kind, lead_id, chat_id in result.outbox:
        assert lead_id in lead_ids or (lead_id is None and chat_id is not None), (
            f"orphaned outbox row {kind} lead={lead_id} chat={chat_id}"
        )
    expected_cards = {
        result.lead_ids[chat.id]: chat.notifications.count("lead_card") for chat in chats
        if chat.id in result.lead_ids
    }
    assert result.cards == expected_cards
    assert set(result.inbox) <= {"done"}, result.inbox
    assert not error_log.records, error_log.describe()[:3]

    figures.add("property examples (duplicates, reordering, crashes)")
    figures.add("journeys in property examples", len(chats))
    figures.add("updates delivered in property examples", result.updates)
    figures.add("crashes in property examples", result.crashes)
    figures.add("leads checked in property examples", len(result.leads))
