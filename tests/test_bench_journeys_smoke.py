"""The journeys benchmark still works end to end: a few owners, nothing lost (nothing timed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.journeys import journey, main, phone_of, table

pytestmark = pytest.mark.process


def _check_run(result: dict[str, Any]) -> None:
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


def test_repeated_runs_alternate_the_bots_and_every_journey_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "journeys.json"
    tiny = ["--owners", "3", "--paced-owners", "2", "--warmup", "1", "--rate", "50",
            "--reply-timeout", "20", "--card-timeout", "20"]
    assert main([*tiny, "--repeat", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [result["order"] for result in data["runs"]] == [["ours", "echo"], ["echo", "ours"]]
    for result in data["runs"]:
        _check_run(result)
    summary = data["summary"]
    assert summary["runs"] == 2 and summary["complete"] and summary["counts_match"]
    ratios = [result["targets"][0]["value"] for result in data["runs"]]
    assert summary["ratios"] == ratios
    assert summary["targets"][0]["value"] == pytest.approx(sum(ratios) / 2, abs=0.001)
    printed = capsys.readouterr().out
    assert "2 runs, bots in alternating order" in printed and "MISMATCH" not in printed


def test_phones_are_unique_per_owner() -> None:
    owners = [base + n for base in (1_000_000, 2_000_000, 3_000_000) for n in range(1, 1001)]
    phones = {phone_of(owner) for owner in owners}
    assert len(phones) == len(owners)
    assert phone_of(2_000_042) == "+7 916 200-00-42"
