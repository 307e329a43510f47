"""/delete_me leaves no byte of the owner on disk: the real process, its database file and
its write-ahead log read raw right after the erasure (backups are out of scope)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_diagnostic_e2e import journey
from tests.kit.drivers import Person
from tests.kit.http_driver import HttpWorld
from tests.ops.conftest import Spawn

pytestmark = pytest.mark.process

NAME = "Евлампия Зюзюкина"
COMPANY = "ООО Квазиморда"
POSITION = "Смотритель маяка"
PHONE_TYPED = "+7 912 345-67-89"
TRACES = (NAME, "Евлампия", "Зюзюкина", COMPANY, "Квазиморда", POSITION, "9123456789",
          "345-67-89", "Профилевна", "zyuzyukina_e")


async def submit_distinctive_request(owner: Person) -> None:
    typed = {"Как называется ваша компания": NAME, "Ваша должность": COMPANY,
             "Ваш телефон": POSITION, "Когда вам удобно": PHONE_TYPED}
    for expected, action in journey():
        if expected in typed:
            await owner.send(typed[expected])
        else:
            await action(owner)
        await owner.expect(expected)


def raw(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


async def test_erased_data_is_in_neither_the_database_file_nor_its_wal(
    spawn: Spawn, http_world: HttpWorld
) -> None:
    group = await http_world.group("Консультанты")
    irina = await http_world.member(group, "Ирина")
    bot = spawn(CONSULTANTS_CHAT_ID=str(group.chat_id))
    await bot.start()
    owner = await http_world.user(NAME.split()[0], last_name="Профилевна", username="zyuzyukina_e")
    await submit_distinctive_request(owner)
    card = await irina.expect(NAME)
    private = irina.in_private()
    await private.send(f"/lead {card.content.split('№')[1].split()[0]}")
    await private.expect(COMPANY)
    database, wal = bot.workdir / "bot.sqlite3", bot.workdir / "bot.sqlite3-wal"
    before = raw(database) + raw(wal)
    assert NAME.encode() in before and b"+79123456789" in before  # the test can see them

    await owner.send("/delete_me")
    await owner.click("Да, удалить всё")
    await owner.expect("удалены")
    await irina.expect("удалена по просьбе владельца")
    await private.expect("удалена по просьбе владельца")

    for name, data in (("main file", raw(database)), ("WAL", raw(wal))):
        for trace in TRACES:
            assert trace.encode() not in data, (name, trace)
    assert await bot.stop() == 0
