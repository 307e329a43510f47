"""The real bot process over HTTP: lessons end to end, kill -9 and resume, replays, SIGTERM."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.harness import BotProcess, started_with_owner
from tests.kit.http_driver import HttpWorld
from tests.stories import greeted, read_the_lessons

pytestmark = pytest.mark.process


async def test_owner_reads_all_lessons_and_gets_the_call_to_action(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    owner = await started_with_owner(bot_process, http_world, "Анна")
    await greeted(owner)
    final = await read_the_lessons(owner)
    assert final.button("Записаться на диагностику") is not None
    commands = await http_world.remote.commands({"type": "all_private_chats"})
    assert {c["command"] for c in commands} >= {
        "start",
        "lessons",
        "diagnostic",
        "privacy",
        "delete_me",
    }


async def test_kill_9_mid_lessons_loses_nothing_and_resumes(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    owner = await started_with_owner(bot_process, http_world, "Борис")
    await owner.send("/lessons")
    await owner.click("Далее")
    await owner.expect("Урок 2 из 4")

    await bot_process.kill()
    # While the bot is down the owner keeps writing; nothing may be lost.
    await owner.send("/help")
    await owner.send("а что там дальше?")
    await bot_process.start()

    await owner.expect("/lessons")  # the help text
    await owner.expect("уроке 2")  # the hint for the text names the current lesson
    await owner.send("/lessons")
    await owner.expect("Урок 2 из 4")
    messages = await owner.bot_messages()
    said = "\n---\n".join(m.content[:200] for m in messages)
    # What was sent while the bot was down is answered exactly once.
    assert sum("/delete_me" in m.content for m in messages) == 1, said
    assert sum("На текстовые сообщения" in m.content for m in messages) == 1, said
    # The lesson itself, then the resume; a third copy could only come from a crash in the
    # microseconds between Telegram accepting the message and the journal recording it.
    assert sum("Урок 2 из 4" in m.content for m in messages) in (2, 3), said


async def test_replayed_update_is_ignored(http_world: HttpWorld, bot_process: BotProcess) -> None:
    owner = await started_with_owner(bot_process, http_world, "Вера")
    receipt = await http_world.remote.send_text(owner.id, "/help")
    assert receipt["update"] is not None
    await owner.expect("/lessons")
    await http_world.remote.inject_update(receipt["update"])  # Telegram delivers it again
    await owner.send("/start")  # handled after the replay: same chat, strictly in order
    await owner.expect("Здравствуйте")
    helps = [m for m in await owner.bot_messages() if "/delete_me" in m.content]
    assert len(helps) == 1


async def test_sigterm_finishes_and_exits_zero(
    http_world: HttpWorld, bot_process: BotProcess
) -> None:
    owner = await started_with_owner(bot_process, http_world, "Глеб")
    await greeted(owner)
    assert await bot_process.stop(signal.SIGTERM) == 0
    assert "stopped" in bot_process.log()
    assert "Traceback" not in bot_process.log()
