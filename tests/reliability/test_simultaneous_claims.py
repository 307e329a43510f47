"""Ten consultants press «Взять в работу» on the same card at the same instant.

The presses are fed to the dispatcher concurrently (not through the update processor,
which would handle one chat's updates one after another): the strongest race the code
can meet. Exactly one consultant wins, the nine others are told in an alert who has the
lead, the lead has one history row and one «claimed» funnel event, and the card names the
winner. Three leads are raced at once, so the races also interleave with each other.
"""

from __future__ import annotations

from pathlib import Path

from tests.consultants.office import Office, open_office
from tests.reliability.conftest import ErrorRecords, Figures

CONSULTANTS = 10
LEADS = 3


async def _team(office: Office) -> list[int]:
    """Ten consultants: the office's two, its admin and seven more members."""
    team = [office.anna.id, office.boris.id, office.ada.id]
    for number in range(CONSULTANTS - len(team)):
        user = office.telegram.add_user(first_name=f"Консультант{number}", started=True)
        office.telegram.add_member(office.group_id, user.id)
        team.append(user.id)
    return team


async def test_ten_simultaneous_claims_have_one_winner_and_nine_told_who(
    db_path: Path, figures: Figures, error_log: ErrorRecords,
) -> None:
    async with open_office(db_path) as office:
        team = await _team(office)
        leads = [await office.submit(office.new_owner(f"Владелец {n}"), f"d{n}") for n in range(LEADS)]
        cards = [await office.card(lead.id) for lead in leads]

        presses = [
            (lead, office.telegram.click(user_id, office.group_id, card.message_id,
                                         f"gc:{lead.id}:c"))
            for lead, card in zip(leads, cards, strict=True) for user_id in team
        ]
        office.telegram.take_all_updates()
        await office.world.handle_at_once([press.update for _, press in presses])
        await office.idle()

        for lead in leads:
            answers = [office.answer_of(press.query_id) for of, press in presses if of is lead]
            winners = [a for a in answers if "ваша" in (a.get("text") or "")]
            told = [a for a in answers if "уже в работе" in (a.get("text") or "")]
            assert len(winners) == 1, answers
            assert len(told) == CONSULTANTS - 1, answers
            stored = await office.repo.leads.get(lead.id)
            assert stored is not None and stored.status == "claimed"
            assert stored.assignee_name is not None
            assert all(stored.assignee_name in a["text"] and a["show_alert"] for a in told)
            history = await office.repo.pipeline.history(lead.id)
            assert [(h.from_status, h.to_status) for h in history] == [("new", "claimed")]
            events = await office.db.fetchval(
                "SELECT count(*) FROM events WHERE lead_id = ? AND kind = 'claimed'", (lead.id,))
            assert events == 1
            shown = await office.card(lead.id)
            assert stored.assignee_name in (shown.html or "")
        assert not error_log.records, error_log.describe()[:3]
    figures.add("simultaneous claims pressed", len(presses))
