"""Story: consultants look leads up, export them and read the numbers — in the group or in
a private chat with the bot; nobody else can."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.group.rules import FUNNEL
from bot.group.views.export import ExcelSemicolon, export_csv, lead_cells, neutralise
from tests.consultants.office import CONTENT, Office, open_office

HOSTILE = '=HYPERLINK("http://evil.example","жми"); <b>&amp;</b> "кавычки"\nвторая строка'


async def test_leads_lists_open_leads_newest_first_with_a_pager(db_path: Path) -> None:
    async with open_office(db_path, leads_page_size=2) as office:
        leads = [await office.submit(user_id=office.new_owner(), company=f"Фирма {n}")
                 for n in range(1, 6)]
        await office.card(leads[-1].id)

        await office.anna.send("/leads")
        first = await office.anna.expect("Заявки: открытые")

        assert "(стр. 1 из 3)" in first.content
        assert "№5" in first.content and "№4" in first.content and "№3" not in first.content
        await office.anna.click("Дальше", on=first)
        second = await office.anna.expect("стр. 2 из 3")
        assert second.message_id == first.message_id  # the list is edited in place
        assert "№3" in second.content and "№2" in second.content


async def test_leads_filters_by_status_code_or_label(office: Office) -> None:
    first = await office.submit()
    await office.submit(user_id=office.new_owner(), company="Другая")
    await office.press(office.anna, await office.card(first.id), "Взять в работу")

    await office.anna.send("/leads claimed")
    claimed = await office.anna.expect("Заявки: в работе")
    assert "№1" in claimed.content and "№2" not in claimed.content

    await office.anna.send("/leads новая")
    new = await office.anna.expect("Заявки: новая")
    assert "№2" in new.content and "№1" not in new.content

    await office.anna.send("/leads нечто")
    assert "Не знаю такого статуса" in (await office.anna.expect("статуса")).content


async def test_lead_shows_everything_with_notes_and_history(office: Office) -> None:
    lead = await office.submit()
    card = await office.card(lead.id)
    await office.press(office.anna, card, "Взять в работу")
    await office.anna.reply_to(card, "Перезвонить <в среду> & уточнить")

    await office.boris.send(f"/lead {lead.id}")
    full = await office.boris.expect("Заметки")

    assert "ООО «Ромашка»" in full.content
    assert "Анна Консультант: Перезвонить <в среду> & уточнить" in full.content
    assert "новая → в работе" in full.content

    await office.boris.send("/lead 999")
    assert "Заявки №999 нет" in (await office.boris.expect("нет")).content
    await office.boris.send("/lead abc")
    await office.boris.expect("Напишите номер заявки")
    await office.boris.send("/lead 99999999999999999999999")
    await office.boris.expect("Напишите номер заявки")


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                           dialect=ExcelSemicolon))


def unneutralise(cell: str) -> str:
    dangerous = cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r")
    return cell[1:] if dangerous else cell


async def test_export_parsed_back_equals_the_database_rows(office: Office) -> None:
    segments = [{"name": "=SUM(A1:A9)", "share": 70}, {"name": "@опт;розница", "share": 30}]
    await office.submit(name=HOSTILE, company="-Минус & «Ко»", position="+Плюс",
                        answers={"turnover": "10_50", "years": "gt10", "dept_type": 3,
                                 "lead_source": "both", "segments": segments, "strategic": 1})
    second = await office.submit(user_id=office.new_owner(), name="Пётр", company="ИП Петров")
    await office.press(office.anna, await office.card(second.id), "Взять в работу")

    await office.anna.send("/export")
    document = await office.anna.expect("Заявки за период «всё время»: 2")
    rows = parse_csv(await office.anna.download(document))

    assert document.file is not None and document.file["file_name"].endswith(".csv")
    header, body = rows[0], rows[1:]
    assert header[:4] == ["№", "Создана", "Обновлена", "Статус"]
    stored = await office.repo.pipeline.created_since(None)
    expected = [lead_cells(lead, reason, CONTENT, office.settings) for lead, reason in stored]
    assert [[unneutralise(cell) for cell in row] for row in body] == [
        list(cells.values()) for cells in expected
    ]
    first = dict(zip(header, body[0], strict=True))
    assert first["Имя"] == "'" + HOSTILE  # a formula never runs in Excel
    assert first["Компания"] == "'-Минус & «Ко»"
    assert first["Должность"] == "'+Плюс"
    assert first["Телефон"] == "'+79991234567"
    assert first["Сегменты"] == "'=SUM(A1:A9) — 70%\n@опт;розница — 30%"
    assert first["Стратегический сегмент"] == "'@опт;розница"
    assert dict(zip(header, body[1], strict=True))["Ответственный"] == "Анна Консультант"


async def test_export_period_today_leaves_out_older_leads(office: Office) -> None:
    old = await office.submit()
    await office.db.write("UPDATE leads SET created_at = created_at - 40 * 86400 WHERE id = ?",
                          (old.id,))
    await office.submit(user_id=office.new_owner(), company="Свежая")

    await office.anna.send("/export today")
    document = await office.anna.expect("«сегодня»: 1")
    rows = parse_csv(await office.anna.download(document))
    assert [row[0] for row in rows[1:]] == ["2"]

    await office.anna.send("/export 30d")
    await office.anna.expect("«30 дней»: 1")
    await office.anna.send("/export all")
    await office.anna.expect("«всё время»: 2")
    await office.anna.send("/export вчера")
    await office.anna.expect("Период выгрузки")


@pytest.mark.parametrize("value", ["=1+1", "+7999", "-5", "@cmd", "\tx", "\rx"])
def test_cells_that_excel_would_run_get_a_leading_apostrophe(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("Обычный текст") == "Обычный текст"


def test_an_empty_export_is_a_header_only_csv() -> None:
    from bot.config import Settings

    rows = parse_csv(export_csv([], CONTENT, Settings(_env_file=None)))  # type: ignore[call-arg]
    assert len(rows) == 1 and rows[0][0] == "№"


async def test_stats_counts_statuses_and_the_conversion(office: Office) -> None:
    leads = [await office.submit(user_id=office.new_owner()) for _ in range(4)]
    for lead in leads[:2]:
        await office.press(office.anna, await office.card(lead.id), "Взять в работу")
    await office.press(office.anna, await office.card(leads[0].id), "Связались")
    await office.press(office.anna, await office.card(leads[0].id), "Вернуть в новые")

    reached = await office.repo.stats.reached(FUNNEL)
    assert reached == {"new": 4, "claimed": 2, "contacted": 1, "scheduled": 0, "done": 0}

    await office.anna.send("/stats")
    stats = await office.anna.expect("Статистика заявок")
    assert "новая: 3" in stats.content and "в работе: 1" in stats.content
    assert "Всего: 4" in stats.content
    assert "новая → в работе: 2 из 4 (50%)" in stats.content
    assert "в работе → связались: 1 из 2 (50%)" in stats.content


async def test_a_consultant_in_a_private_chat_is_told_what_to_do_and_can_use_the_commands(
    office: Office,
) -> None:
    await office.submit()
    anna = office.anna.in_private()

    await anna.send("/start")
    hint = await anna.expect("Вы консультант")
    assert "/leads" in hint.content
    await anna.expect("")  # and the ordinary greeting follows
    assert len(await anna.bot_messages()) >= 2

    await anna.send("/leads")
    assert "№1" in (await anna.expect("Заявки: открытые")).content
    await anna.send("/help")
    await anna.expect("Команды консультанта")


async def test_someone_else_in_a_private_chat_cannot_use_consultants_commands(
    office: Office,
) -> None:
    await office.submit()
    stranger = await office.world.user("Незнакомец")

    await stranger.send("/leads")
    await stranger.send("/export")
    await stranger.send("/start")

    said = " ".join(m.content for m in await stranger.bot_messages())
    assert "Заявки:" not in said and "Вы консультант" not in said
    assert all(m.file is None for m in await stranger.bot_messages())


async def test_bind_by_an_admin_binds_the_chat_and_sets_its_command_menu(db_path: Path) -> None:
    async with open_office(db_path, bind_by_setting=False) as office:
        await office.anna.send("/bind")
        await office.anna.expect("только администратор")
        assert await office.consultants.binding.chat_id() is None

        await office.ada.send("/bind")
        await office.ada.expect("Готово")

        assert await office.consultants.binding.chat_id() == office.group_id
        menu = office.telegram.commands({"type": "chat", "chat_id": office.group_id})
        assert [c["command"] for c in menu] == [name for name, _ in CONTENT.group_commands()]


async def test_bind_wins_over_the_setting(db_path: Path) -> None:
    async with open_office(db_path) as office:
        other = office.telegram.add_group(title="Новая группа", type="supergroup",
                                          members=[office.ada.id, office.anna.id])
        ada = office.ada.in_chat(office.world_group(other.id))

        await ada.send("/bind")
        await ada.expect("Готово")
        lead = await office.submit()

        assert (await office.card(lead.id)).chat_id == other.id


async def test_messages_from_other_groups_are_ignored(office: Office) -> None:
    other = office.telegram.add_group(title="Чужая", type="supergroup",
                                      members=[office.anna.id])
    anna = office.anna.in_chat(office.world_group(other.id))

    await anna.send("/leads")
    await anna.send("/export")

    await anna.expect_no_reply()


async def test_group_help_lists_the_commands(office: Office) -> None:
    await office.boris.send("/help")
    help_text = (await office.boris.expect("Команды консультанта")).content
    assert "/leads" in help_text and "/bind" in help_text
