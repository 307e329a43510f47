"""kill -9 before every single write and Bot API call of whole journeys, in process.

For each journey an uninterrupted run is recorded. Then, for every operation k of it (each
SQLite write or transaction, each request to Telegram — see `machine.Fate`), the journey is
played again on a fresh database with the process dying right before operation k,
restarting at once and going on. Every one of those runs must end exactly as the
uninterrupted one: the owner saw the same messages, no more and no fewer (so nothing was
answered twice or left unanswered, and the next question always came), the same lead row
exists once with the same answers, with one notification for the consultants, and every
update was handled, none failed.
"""

from __future__ import annotations

import pytest

from tests.reliability.conftest import ErrorRecords, Figures
from tests.reliability.recordings import record, replay_in_order, same_conversation
from tests.reliability.stories import Request, Step, click, label, lessons_steps, send

JOURNEYS: dict[str, list[Step]] = {
    "qualified, a colleague's contact confirmed": Request(
        segments=(("розница", 60),), strategic=0, position=None, someone_elses_contact=True,
        phone="+7 903 111-22-33",
    ).steps(),
    "not qualified": Request(turnover="1_3").steps(),
    "consent declined": Request(consent=False, segments=(("опт", None),), strategic=0).steps(),
    "back from the first question": [
        send("/diagnostic", "Какой у компании оборот"),
        click(label("diag_buttons.back"), "отменено"),
    ],
    "all lessons": lessons_steps(),
}


@pytest.mark.parametrize("journey", list(JOURNEYS))
async def test_a_crash_before_any_operation_changes_nothing_the_owner_or_the_team_sees(
    journey: str, figures: Figures, error_log: ErrorRecords,
) -> None:
    chats, reference = await record([("Анна", JOURNEYS[journey])])
    [owner] = chats
    assert reference.inbox.get("done") == len(chats[owner].actions)
    # The same journey once more, uninterrupted, to count its operations.
    uninterrupted = await replay_in_order(chats, crash_at=None)
    assert uninterrupted.shown == reference.shown
    operations = uninterrupted.operations

    for crash_at in range(1, operations + 1):
        result = await replay_in_order(chats, crash_at)
        where = f"{journey}: crash before operation {crash_at} of {operations}"
        assert result.crashes == 1, where
        problem = same_conversation(reference.shown[owner], result.shown[owner])
        assert problem is None, f"{where}: {problem}"
        assert result.leads == reference.leads, where
        assert result.outbox == [
            (kind, result.lead_ids.get(owner) if lead else None, chat)
            for kind, lead, chat in reference.outbox
        ], where
        assert set(result.inbox) == {"done"}, f"{where}: inbox {result.inbox}"
    assert not error_log.records, error_log.describe()[:3]
    figures.add("crash points replayed in process", operations)
    figures.add("journeys walked in process", operations + 2)

