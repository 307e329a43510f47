"""The sandbox page in headless Chromium: one owner's whole journey and the consultants' side.

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` Python package; Playwright's
own browser downloads are never used. Takes the README's screenshots (written to
docs/screenshots/ with UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.settings import SANDBOX_TOKEN
from tests.sandbox.process import ROOT, SandboxProcess

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots go to a scratch folder; UPDATE_SCREENSHOTS=1 writes the README's ones in
# docs/screenshots (a test run leaves the tracked files alone).
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "sandbox-screenshots"
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STEP_TIMEOUT_MS = 10_000
BROWSER_ZONE = "America/Los_Angeles"

# CI sets REQUIRE_BROWSER=1: there a missing browser is a failure, never a silent skip.
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
pytestmark = [
    pytest.mark.process,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not REQUIRED,
        reason="needs Debian's chromium: apt-get install -y chromium",
    ),
    pytest.mark.skipif(
        find_spec("playwright") is None and not REQUIRED,
        reason="needs Playwright: pip install playwright",
    ),
]

if find_spec("playwright") is not None:
    from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One `python -m bot` for the module (the second test starts with a reset)."""
    process = SandboxProcess(tmp_path_factory.mktemp("browser") / "fresh-clone")
    try:
        yield process.start()
    finally:
        process.kill()


@pytest.fixture
def page(browser: Browser, sandbox_process: SandboxProcess) -> Iterator[Page]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The browser lives far from the bot's TIMEZONE: the page must show the bot's times.
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="ru-RU", timezone_id=BROWSER_ZONE
    )
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    opened.goto(sandbox_process.url)
    try:
        yield opened
    finally:
        context.close()
    assert not errors, errors


# -- how a person uses the page -------------------------------------------------------------


def last_bot_message(pane: Locator) -> Locator:
    return pane.locator(".msg.from-bot").last


def bot_says(pane: Locator, text: str) -> Locator:
    """Wait until the newest bot message contains `text` (new or edited in place)."""
    message = last_bot_message(pane)
    expect(message).to_contain_text(text)
    return message


def press(pane: Locator, label: str) -> None:
    """Press an inline button on the newest bot message."""
    last_bot_message(pane).locator(".kb-button", has_text=re.compile(
        rf"^\s*{re.escape(label)}\s*$")).click()


def type_text(pane: Locator, text: str) -> None:
    pane.locator(".composer-input").fill(text)
    pane.locator(".composer-input").press("Enter")


def settle(page: Page) -> None:
    """Before a screenshot: no hover, no toasts, edit highlights faded."""
    page.mouse.move(640, 26)
    expect(page.locator(".toast")).to_have_count(0)
    page.wait_for_timeout(1500)


def bot_api(sandbox: SandboxProcess, method: str, **params: Any) -> Any:
    request = urllib.request.Request(
        f"{sandbox.url}/bot{SANDBOX_TOKEN}/{method}", data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


# -- the journey ----------------------------------------------------------------------------


def test_owner_journey_and_consultants_pane(page: Page, sandbox_process: SandboxProcess) -> None:
    owner = page.locator("#owner-pane")
    group = page.locator("#group-pane")
    expect(owner.locator(".persona-select")).to_have_value(re.compile(r"\d+"))
    expect(owner.locator(".persona-select option:checked")).to_have_text("Ольга Петрова")
    expect(group.locator(".persona-select option:checked")).to_have_text("Анна Иванова")

    # /start with Telegram's START button, then the lessons (edited in place or sent anew).
    owner.get_by_role("button", name="Запустить").click()
    bot_says(owner, "Здравствуйте, Ольга")
    press(owner, "Начать обучение")
    lesson = bot_says(owner, "Урок 1 из 4")
    expect(lesson.locator(".text b").first).to_be_visible()  # Telegram HTML is rendered
    for number in (2, 3, 4):
        press(owner, "Далее ▶️")
        bot_says(owner, f"Урок {number} из 4")
    press(owner, "Завершить обучение ✅")
    bot_says(owner, "бесплатная диагностика")

    # The diagnostic: every question, consent, the contact button, review, submit.
    press(owner, "Записаться на диагностику")
    bot_says(owner, "Какой у компании оборот")
    press(owner, "более 3, до 10 млн ₽")
    bot_says(owner, "Сколько лет")
    press(owner, "более 5, до 10 лет")
    bot_says(owner, "тип отдела продаж")
    press(owner, "Продаёт лидам от маркетинга")
    bot_says(owner, "приводит в компанию лидов")
    press(owner, "Маркетинг")
    bot_says(owner, "сегментов целевой аудитории")
    press(owner, "2")
    bot_says(owner, "назовёте")
    type_text(owner, "розница")
    bot_says(owner, "долю выручки")
    type_text(owner, "60")
    bot_says(owner, "назовёте")
    type_text(owner, "дилеры")
    bot_says(owner, "долю выручки")
    press(owner, "Пропустить")
    bot_says(owner, "стратегическим")
    press(owner, "⭐️ дилеры")
    bot_says(owner, "Согласие на обработку")
    press(owner, "Даю согласие")
    bot_says(owner, "Как к вам обращаться")
    type_text(owner, "Ольга Петрова")
    bot_says(owner, "Как называется ваша компания")
    type_text(owner, "ООО «Ромашка»")
    bot_says(owner, "Ваша должность")
    type_text(owner, "Генеральный директор")
    bot_says(owner, "Ваш телефон")
    contact_key = owner.locator(".reply-keyboard .key.contact")
    expect(contact_key).to_be_visible()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "sandbox-owner.png"))
    contact_key.click()
    expect(owner.locator(".msg.out .contact-card").last).to_contain_text("+7 999")
    review = bot_says(owner, "Проверьте заявку")  # booking is on: no call-time question
    expect(owner.locator(".reply-keyboard")).to_be_hidden()
    expect(review).to_contain_text("ООО «Ромашка»")
    press(owner, "✅ Отправить")
    expect(owner.locator(".msg.from-bot", has_text="Заявка принята")).to_be_visible()

    # The diagnostic booked in the calendar: a free day, a free time, the confirmation with
    # what to prepare, and the .ics file.
    days = bot_says(owner, "Выберите день диагностики")
    expect(days).to_contain_text("по Москве")
    days.locator(".kb-button").first.click()
    times = bot_says(owner, "свободное время")
    first_time = times.locator(".kb-button").first.inner_text().strip()
    assert re.fullmatch(r"\d{2}:\d{2}", first_time), first_time
    times.locator(".kb-button").first.click()
    confirmation = owner.locator(".msg.from-bot", has_text="Вы записаны на диагностику")
    expect(confirmation).to_contain_text(f"{first_time}–")
    expect(confirmation).to_contain_text("Что подготовить")
    expect(owner.locator(".file-card").last).to_contain_text(".ics")
    settle(page)
    confirmation.evaluate("node => node.scrollIntoView({ block: 'start' })")
    page.screenshot(path=str(SCREENSHOTS / "sandbox-booking.png"))

    # The lead gets its own topic in the consultants' forum: the general topic links to it,
    # its first message is the card with the booked time. Анна claims it (it stays
    # «диагностика назначена») and keeps a note for the team.
    notice = group.locator(".msg.from-bot", has_text="Заявка №1 · ООО «Ромашка»")
    expect(notice).to_contain_text("открыть тему")
    notice.locator("a", has_text="открыть тему").click()
    expect(group.locator(".topic.active")).to_contain_text("№1 · ООО «Ромашка» · Ольга Петрова")
    card = group.locator(".msg.from-bot", has_text="Компания: ООО «Ромашка»")
    expect(card).to_contain_text("📅 Заявка №1 — диагностика назначена")
    expect(card).to_contain_text("Диагностика: 📅")
    expect(card).to_contain_text(f"{first_time}–")
    expect(card).to_contain_text("начните сообщение с /send")  # the rule, in the first message
    card.locator(".kb-button", has_text="Взять в работу").click()
    expect(group.locator(".toast", has_text="ваша")).to_be_visible()
    expect(card).to_contain_text("Анна")
    type_text(group, "Перезвонить после обеда, просит КП")  # a note: it stays in the topic

    # The owner writes to the bot; the consultant answers through it with /send.
    type_text(owner, "Добрый день! А что нужно подготовить к диагностике?")
    copy = group.locator(".msg.from-bot", has_text="что нужно подготовить")
    expect(copy).to_contain_text("Ольга Петрова · владелец, заявка №1")
    expect(owner.locator(".msg.out .reaction").last).to_have_text("👌")  # it reached them
    type_text(group, "/send Здравствуйте, Ольга! Возьмите отчёт о продажах за квартал — "
                     "позвоню после обеда.")
    answer = bot_says(owner, "Анна, консультант")
    expect(answer).to_contain_text("отчёт о продажах за квартал")
    expect(group.locator(".msg.out .reaction").last).to_have_text("👌")
    expect(owner.locator(".msg.from-bot", has_text="Перезвонить после обеда")).to_have_count(0)
    type_text(owner, "Спасибо, подготовлю 👍")
    expect(group.locator(".msg.from-bot", has_text="Спасибо, подготовлю")).to_be_visible()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "sandbox.png"))
    group.screenshot(path=str(SCREENSHOTS / "sandbox-consultants.png"))

    # The consultants' agenda lists the booked diagnostic with who has it.
    type_text(group, "/agenda week")
    agenda = bot_says(group, "Диагностики — на 7 дней")
    expect(agenda).to_contain_text(f"{first_time}–")
    expect(agenda).to_contain_text("ООО «Ромашка» · Анна")


def test_reset_sanitized_html_links_and_people(
    page: Page, sandbox_process: SandboxProcess
) -> None:
    owner = page.locator("#owner-pane")
    group = page.locator("#group-pane")

    # Reset (after the journey above, if it ran): a fresh sandbox database and world.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Начать заново").click()
    expect(owner.get_by_role("button", name="Запустить")).to_be_visible()
    expect(owner.locator(".persona-select option:checked")).to_have_text("Ольга Петрова")
    expect(owner.locator(".persona-select option")).to_have_count(1)
    expect(group.locator(".msg")).to_have_count(0)
    data = sandbox_process.workdir / "data"
    assert (data / "sandbox.sqlite3").exists() and not (data / "bot.sqlite3").exists()

    # The formatter itself, on hostile input the emulator would never let through.
    rendered = page.evaluate("""async () => {
        const { renderMessageHtml } = await import('/static/js/format.js');
        const box = document.createElement('div');
        box.append(renderMessageHtml(
          '<b>ok</b><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>' +
          '<a href="javascript:window.pwned=3">js</a><a href="https://example.com/">web</a>' +
          '<a href="tg://user?id=1">tg</a><span class="tg-spoiler">hidden</span>' +
          '<i onclick="x()">it</i><iframe src="https://example.com"></iframe><u>u</u>'));
        return { html: box.innerHTML, pwned: window.pwned ?? null };
    }""")
    html = rendered["html"]
    assert rendered["pwned"] is None
    for bad in ("<img", "<script", "onerror", "onclick", "javascript:", "<iframe"):
        assert bad not in html, html
    assert "<b>ok</b>" in html and "<i>it</i>" in html and "<u>u</u>" in html
    assert 'href="https://example.com/"' in html and 'href="tg://user?id=1"' in html
    assert '<span class="spoiler"' in html

    # A message the emulator accepts, as Telegram does, with a javascript: link and buttons.
    state = sandbox_process.call("GET", "/api/state")
    olga = state["owners"][0]["id"]
    bot = state["bot"]["username"]
    owner.get_by_role("button", name="Запустить").click()
    bot_says(owner, "Здравствуйте")
    bot_api(
        sandbox_process, "sendMessage", chat_id=olga, parse_mode="HTML",
        text=(
            '<a href="javascript:alert(1)">опасная ссылка</a>, <tg-spoiler>секрет</tg-spoiler>, '
            f"канал: https://t.me/{bot}?start=src_sandbox"
        ),
        reply_markup={"inline_keyboard": [[{"text": "Открыть сайт", "url": "https://example.com/"}]]},
    )
    message = bot_says(owner, "опасная ссылка")
    expect(message.locator("a", has_text="опасная ссылка")).not_to_have_attribute(
        "href", re.compile(".*"))
    spoiler = message.locator(".spoiler")
    expect(spoiler).not_to_have_class(re.compile("revealed"))
    spoiler.click()
    expect(spoiler).to_have_class(re.compile("revealed"))
    expect(message.locator("a.kb-button.link")).to_have_attribute("href", "https://example.com/")

    # A deep link in a text: a new owner follows it and starts the bot with its payload.
    message.locator("a", has_text="t.me/").click()
    expect(owner.locator(".persona-select option:checked")).to_have_text("Игорь Смирнов")
    expect(owner.locator(".msg.out").first).to_contain_text("/start src_sandbox")
    bot_says(owner, "Здравствуйте, Игорь")

    # The owner's share link: shown as a link, the share sheet and the inline-mode chip.
    owner.locator(".persona-select").select_option(label="Ольга Петрова")
    expect(owner.locator(".msg.from-bot", has_text="опасная ссылка")).to_be_visible()
    type_text(owner, "/share")
    share = bot_says(owner, "Ваша личная ссылка")
    expect(share.locator(".text a", has_text=f"t.me/{bot}?start=r_")).to_be_visible()
    share.locator(".kb-button.chip").click()
    preview = owner.get_by_role("dialog", name="Инлайн-режим")
    expect(preview).to_contain_text("Рекомендую короткий курс")
    preview.locator("a.kb-button", has_text="Открыть курс").click()
    expect(preview).to_be_hidden()
    expect(owner.locator(".persona-select option:checked")).to_have_text("Марина Волкова")
    expect(owner.locator(".msg.out").first).to_contain_text("/start r_")
    bot_says(owner, "Здравствуйте, Марина")
    owner.locator(".persona-select").select_option(label="Ольга Петрова")
    last_bot_message(owner).locator(".kb-button", has_text="Поделиться").click()
    expect(owner.locator(".persona-select option:checked")).to_have_text("Дмитрий Орлов")
    bot_says(owner, "Здравствуйте, Дмитрий")

    # Another consultant on demand; the command menu of the group.
    group.get_by_role("button", name="+ Новый").click()
    expect(group.locator(".persona-select option:checked")).to_have_text("Галина Морозова")
    group.locator(".menu-button").click()
    expect(group.locator(".popover")).to_contain_text("/leads")
    group.locator(".popover-item", has_text="/help").click()
    bot_says(group, "/lead")


# -- fonts and times --------------------------------------------------------------------------


EMOJI_FONT = "Noto Color Emoji"  # Debian's fonts-noto-color-emoji, installed by .ci/run


def installed_fonts() -> str:
    if shutil.which("fc-list") is None:
        return ""
    return subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


def platform_fonts(page: Page, selector: str) -> dict[str, int]:
    """Font family -> glyphs Chromium drew with it for the text directly in `selector`'s node."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        session.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def test_digits_and_spaces_never_come_from_the_emoji_font_and_times_are_the_bots(
    page: Page, sandbox_process: SandboxProcess
) -> None:
    """With Debian's fonts (DejaVu and Noto Color Emoji) the emoji font once drew every digit
    and space: huge gaps, times as «2 3 : 5 1». It serves emoji only. And chat times are in
    the bot's TIMEZONE, like the times on the cards, whatever the browser's zone."""
    owner = page.locator("#owner-pane")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Начать заново").click()
    owner.get_by_role("button", name="Запустить").click()
    bot_says(owner, "Здравствуйте, Ольга")
    press(owner, "Начать обучение")
    bot_says(owner, "Урок 1 из 4")

    greeting = "#owner-pane .msg.from-bot .text"
    for selector in (greeting, "#owner-pane .msg.from-bot time", ".composer-input",
                     "#owner-pane .chat-title"):
        fonts = platform_fonts(page, selector)
        assert fonts and not any("emoji" in name.lower() for name in fonts), (selector, fonts)
    # The emoji themselves still come from the colour emoji font (when it is installed).
    # The emoji face is loaded lazily (unicode-range) and text waiting for it is not drawn:
    # wait until it is loaded and the probe laid out and painted, or no font has drawn it yet.
    page.evaluate("""async () => {
        const probe = document.createElement('span');
        probe.id = 'emoji-probe';
        probe.textContent = '👉';
        document.querySelector('#owner-pane .msg.from-bot .text').append(probe);
        await document.fonts.load('16px "Sandbox Emoji"', '👉');
        await document.fonts.ready;
        probe.getBoundingClientRect();
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    }""")
    emoji_fonts = platform_fonts(page, "#emoji-probe")
    if EMOJI_FONT in installed_fonts() or REQUIRED:  # CI installs it: the test must bite there
        assert list(emoji_fonts) == [EMOJI_FONT], emoji_fonts

    zone = sandbox_process.call("GET", "/api/state")["timezone"]
    assert zone != BROWSER_ZONE
    for time in owner.locator(".msg time").all():
        sent = dt.datetime.fromisoformat(time.get_attribute("datetime").replace("Z", "+00:00"))
        assert time.inner_text() == sent.astimezone(ZoneInfo(zone)).strftime("%H:%M")
