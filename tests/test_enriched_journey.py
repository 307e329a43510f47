"""Issue 12, done when: the whole journey passes against a Telegram that echoes
link_preview_options and returns every other field it may.

The emulator's response enrichment makes every answer carry a random subset of the optional
fields its Bot API type allows (link_preview_options and other objects aiogram fills with
Default placeholders among them) plus a field no Bot API has yet; updates take the service's
way (inbox, update processor, reply sender), where re-dumping such answers once crashed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.emulator.enrichment import ResponseEnrichment
from tests.consultants.journey import walk_the_whole_journey
from tests.consultants.office import open_office


@pytest.mark.parametrize("seed", [1, 2])
async def test_the_whole_journey_survives_answers_with_every_optional_field(
    tmp_path: Path, seed: int
) -> None:
    emulator = Emulator(response_enrichment=ResponseEnrichment(seed=seed, optional_share=0.5))
    async with open_office(tmp_path / "bot.sqlite3", emulator=emulator) as office:
        await walk_the_whole_journey(office)

        failed = await office.db.fetchval("SELECT count(*) FROM inbox WHERE status != 'done'")
        assert failed == 0
        apology = office.content.render("messages/error.html")
        said = [call.params.get("text") for call in office.telegram.calls("sendMessage")]
        assert said and apology not in said  # no handler died after its message went out
