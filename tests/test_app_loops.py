"""Every sender the app builds is one of its background loops, so the service starts and stops
it: the reminder sender was once built and never started in the real process."""

from __future__ import annotations

from bot.app import BotApp
from bot.background import BackgroundLoop


async def test_every_background_loop_of_the_app_is_started_by_the_service(app: BotApp) -> None:
    loops = app.loops()
    assert loops[0] is app.replies  # what owners wait for starts first and stops last
    built = {name for name in app.__slots__ if isinstance(getattr(app, name), BackgroundLoop)}
    assert {"replies", "outbox", "nudges"} <= built
    assert len(loops) == len(built)
    for loop in loops:
        loop.start()
        assert loop.running
    for loop in reversed(loops):
        await loop.stop(1.0)
        assert not loop.running
