"""The journeys benchmark still works end to end: a few owners, nothing lost (nothing timed)."""

from __future__ import annotations

from pathlib import Path

from bench.journeys import Options, journey, phone_of, run, table
from bench.report import write_json


async def test_every_journey_completes_and_counts_match(tmp_path: Path) -> None:
    options = Options(owners=3, paced_owners=2, warmup=1, rate=50, reply_timeout=20,
                      card_timeout=20, workdir=tmp_path)
    result = await run(options)
    steps = len(journey())
    ours, echo = result["ours"], result["echo"]
    for measured in (ours, echo):
        assert measured["complete"], measured
        assert measured["exit_code"] == 0
        saturation, paced = measured["saturation"], measured["paced"]
        assert saturation["owners_finished"] == saturation["owners"] == 3
        assert saturation["replied"] == saturation["injected"] == 3 * steps
        assert paced["owners_finished"] == paced["owners"] == 2
        assert paced["replied"] == paced["injected"] == 2 * steps
    # The echo bot answers each text with one sendMessage; ours answers buttons, marks
    # questions answered and asks the next one, and the three owners' cards go via the outbox.
    assert echo["saturation"]["api_calls_per_update"] == {"all": 1.0, "sendMessage": 1.0}
    calls = ours["saturation"]["api_calls_per_update"]
    assert calls["answerCallbackQuery"] > 0.5 and calls["editMessageText"] > 0.3
    by_method = sum(share for method, share in calls.items() if method != "all")
    assert calls["all"] > 2 and abs(calls["all"] - by_method) < 0.01  # (rounded shares)
    for bot in (ours, echo):  # each getUpdates brought at least one update, none are lost
        assert bot["saturation"]["updates_per_fetch"] >= 1
    counts = result["counts"]
    assert counts["expected_journeys"] == 1 + 3 + 2
    assert counts["journeys_completed"] == counts["lead_rows"] == counts["cards_posted"] == 6
    assert counts["match"]
    assert "MISMATCH" not in table(result)
    write_json(result, tmp_path / "journeys.json")


def test_phones_are_unique_per_owner() -> None:
    owners = [base + n for base in (1_000_000, 2_000_000, 3_000_000) for n in range(1, 1001)]
    phones = {phone_of(owner) for owner in owners}
    assert len(phones) == len(owners)
    assert phone_of(2_000_042) == "+7 916 200-00-42"
