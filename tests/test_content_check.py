"""The content check (bot.content_check): the real texts pass, every kind of defect is caught."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import content_check
from bot.content import DEFAULT_CONTENT_DIR, Content
from bot.content_check import check_content, load_sample_keyboards, main, run_check

# The texts this suite vouches for; other flows keep their own texts (and samples) alongside.
OWNED = [
    "ui.toml",
    "samples.toml",
    "lessons",
    *(
        f"messages/{name}.html"
        for name in (
            "cancel", "error", "final_cta", "greeting", "greeting_back",
            "help", "lesson_cta_1", "lesson_cta_2", "lesson_cta_3", "lesson_cta_4",
            "lesson_header", "lessons_done", "share", "unknown_input",
        )
    ),
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the real content (the files above) to break in each test."""
    target = tmp_path / "content"
    for name in OWNED:
        source = DEFAULT_CONTENT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)
    return target


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append(root: Path, name: str, text: str) -> None:
    with (root / name).open("a", encoding="utf-8") as handle:
        handle.write(text)


def add_template(root: Path, name: str, text: str, contexts: str = "[{}]") -> None:
    """A new template `name` and its entry in samples.toml (`contexts`, TOML)."""
    write(root, name, text)
    append(root, "samples.toml", f'\n["{name}"]\ncontexts = {contexts}\n')


def problems(root: Path, keyboards=()) -> list[str]:
    return check_content(Content(root), keyboards)


def only(found: list[str], *needles: str) -> str:
    """The single problem mentioning every needle (and the list must hold nothing else)."""
    assert len(found) == 1, found
    assert all(needle in found[0] for needle in needles), found
    return found[0]


# --------------------------------------------------------------------------- the real content


def test_real_content_passes(root: Path) -> None:
    assert problems(root) == []


def test_the_real_content_folder_has_no_problems_at_all() -> None:
    """Every template, label and keyboard of content/ as the bot ships it (a filter on the
    problems once let a broken diagnostic template through)."""
    assert check_content(Content()) == []


def test_report_counts(root: Path) -> None:
    report = run_check(Content(root))
    assert report.lessons == 4 and report.pages >= 4
    assert report.templates == len(OWNED) - 3 + 4
    assert report.renders > report.templates
    assert report.summary().startswith("check-content: OK")


# --------------------------------------------------------------------------- templates


def test_template_without_samples(root: Path) -> None:
    write(root, "messages/new.html", "Новый текст.")
    only(problems(root), "messages/new.html", "no sample contexts")


def test_stale_samples_entry(root: Path) -> None:
    append(root, "samples.toml", '\n["messages/gone.html"]\ncontexts = [{}]\n')
    only(problems(root), "samples.toml", "messages/gone.html", "no such template")


def test_malformed_samples_entry(root: Path) -> None:
    add_template(root, "messages/new.html", "Текст.", "[]")
    found = problems(root)
    assert any("messages/new.html" in p and '"contexts"' in p for p in found), found


def test_undefined_variable(root: Path) -> None:
    add_template(root, "messages/new.html", "Привет, {{ nmae }}!", '[{ name = "Анна" }]')
    only(problems(root), "messages/new.html", "template error", "nmae")


def test_template_syntax_error(root: Path) -> None:
    add_template(root, "messages/new.html", "{% if x %}без конца", "[{ x = 1 }]")
    only(problems(root), "messages/new.html", "template error")


def test_message_over_4096(root: Path) -> None:
    add_template(root, "messages/new.html", "<b>Длинно.</b> " + "я" * 4090)
    only(problems(root), "messages/new.html", "4098 visible characters", "4096")


@pytest.mark.parametrize(
    ("html", "needle"),
    [
        ("<b>не закрыт", "Telegram would reject it: Can't find end tag corresponding to start"),
        ("<div>блок</div>", 'Telegram would reject it: Unsupported start tag "div"'),
        ("a </i>", "Telegram would reject it: Unexpected end tag at byte offset 2"),
        ("Рога & Копыта", "Unsupported character entity"),
        ("&laquo;кавычки&raquo;", "Unsupported character entity"),
        ('<a href="tel:+79990000000">позвонить</a>', "Invalid URL"),
        # Tags outside the allowed set (content_check.ALLOWED_TAGS).
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "tag <tg-emoji> is not allowed"),
        ('<tg-time unix="1700000000">завтра</tg-time>', "tag <tg-time> is not allowed"),
    ],
)
def test_html_telegram_rejects_or_mangles_or_outside_the_allowed_tags(
    root: Path, html: str, needle: str
) -> None:
    add_template(root, "messages/new.html", html)
    only(problems(root), "messages/new.html", needle)


def test_equivalent_tags_are_allowed(root: Path) -> None:
    html = (
        '<strong>a</strong> <em>b</em> <ins>c</ins> <strike>d</strike> <del>e</del> '
        '<span class="tg-spoiler">f</span> <pre><code class="language-python">g</code></pre>'
    )
    add_template(root, "messages/new.html", html)
    assert problems(root) == []


def test_unescaped_user_value(root: Path) -> None:
    write(root, "messages/new.html", "Привет, {{ name|safe }}!")
    append(
        root, "samples.toml",
        '\n["messages/new.html"]\nuser = ["name"]\ncontexts = [{ name = "Анна" }]\n',
    )
    found = problems(root)
    assert found and all("messages/new.html" in p and "appears unescaped" in p for p in found)


def test_hostile_value_given_in_a_sample_is_checked_too(root: Path) -> None:
    add_template(
        root, "messages/new.html", "{% autoescape false %}{{ name }}{% endautoescape %}",
        '[{ name = "<b>&\\"" }]',
    )
    only(problems(root), "messages/new.html", "appears unescaped")


@pytest.mark.parametrize(
    ("html", "needle"),
    [
        # Lines run together.
        ("<b>Сегменты:</b>\n1. розница — 60%2. дилеры", "list number glued"),
        ("3. интернет-магазин<b>Имя:</b> Ольга", "capitalised word glued"),
        ("Запустили бота: 1Урок 1: 1 · 100% от предыдущегоУрок 2: 0", "capitalised word glued"),
        ("• имя;• прогресс", "bullet glued"),
        # Wording out of the bot's voice.
        ("Фото я не смогу разобрать.", "speaks as «я»"),
        ("Я передумал(а)", "gendered form"),
        ("Заявку уже взял(а) Анна.", "gendered form"),
        ("Менять статус может он(а).", "gendered form"),
    ],
)
def test_lines_run_together_or_words_out_of_the_bots_voice(
    root: Path, html: str, needle: str
) -> None:
    add_template(root, "messages/new.html", html)
    assert any(needle in found for found in problems(root))


def test_separate_lines_and_ordinary_text_are_not_glued(root: Path) -> None:
    write(
        root,
        "messages/fine.html",
        "1. розница — 60%\n2. дилеры\n<b>Имя:</b> Ольга · <b>Телефон:</b> +7\n"
        "Заявка №12. Оборот 2,5 млн ₽ · 3 года; ООО «Ромашка» — iPhone, 4 урока.",
    )
    append(root, "samples.toml", '\n["messages/fine.html"]\ncontexts = [{}]\n')
    assert problems(root) == []


def test_wording_rules_apply_to_labels_but_not_to_the_article(root: Path) -> None:
    append(root, "ui.toml", '\n[extra_buttons]\nretry = "Я передумал(а)"\n')
    assert any("extra_buttons.retry" in found for found in problems(root))
    append(root, "lessons/1.html", "\n\nИ я вам скажу: 2-я часть впереди.")
    assert not any(found.startswith("lessons/") for found in problems(root))


def test_empty_message(root: Path) -> None:
    add_template(root, "messages/new.html", "{% if x %}текст{% endif %}", "[{ x = false }]")
    only(problems(root), "messages/new.html", "empty message")


def test_missing_required_template(root: Path) -> None:
    (root / "messages/help.html").unlink()
    found = problems(root)
    assert any(p.startswith("messages/help.html: missing") for p in found), found


# --------------------------------------------------------------------------- ui.toml


def test_button_label_over_64(root: Path) -> None:
    append(root, "ui.toml", f'\n[more_buttons]\nlong = "{"Д" * 65}"\n')
    only(problems(root), "ui.toml more_buttons.long", "65 characters, over 64")


def test_empty_button_label(root: Path) -> None:
    text = (root / "ui.toml").read_text(encoding="utf-8")
    write(root, "ui.toml", text.replace('menu = "В начало"', 'menu = "  "'))
    only(problems(root), "ui.toml buttons.menu", "empty")


def test_command_name_and_description(root: Path) -> None:
    text = (root / "ui.toml").read_text(encoding="utf-8")
    text = text.replace('cancel = "Отменить текущее действие"', f'cancel = "{"о" * 257}"')
    text = text.replace('[group_commands]\n', '[group_commands]\nBad-Name = "Плохо"\n')
    write(root, "ui.toml", text)
    found = problems(root)
    assert len(found) == 2, found
    assert any("commands.cancel" in p and "257 characters, over 256" in p for p in found)
    assert any("group_commands.Bad-Name" in p and "must match" in p for p in found)


def test_alert_over_200(root: Path) -> None:
    append(root, "ui.toml", f'\n[flow_alerts]\nlong = "{"а" * 201}"\n')
    only(problems(root), "ui.toml flow_alerts.long", "201 characters, over 200")


def test_ui_text_with_variables_needs_samples(root: Path) -> None:
    append(root, "ui.toml", '\n[more_hints]\nhi = "Привет, {{ name }}"\n')
    only(problems(root), "ui.toml more_hints.hi", "no sample contexts", "name")


def test_html_hint_is_checked_as_html(root: Path) -> None:
    append(root, "ui.toml", '\n[more_hints]\nbad = "<b>жирно"\n')
    only(problems(root), "ui.toml more_hints.bad", "Telegram would reject it")


def test_ui_template_error(root: Path) -> None:
    append(root, "ui.toml", '\n[more_buttons]\nx = "Урок {{ n }"\n')
    only(problems(root), "ui.toml more_buttons.x", "template error")


def test_missing_required_ui_key(root: Path) -> None:
    text = (root / "ui.toml").read_text(encoding="utf-8")
    text = text.replace('stale_button = "Эта кнопка устарела, откройте /lessons"\n', "")
    write(root, "ui.toml", text)
    only(problems(root), "ui.toml alerts.stale_button", "missing")


def test_extra_text_files_are_checked_and_named(root: Path) -> None:
    write(root, "flow.toml", f'[flow_buttons]\nok = "{"Ж" * 70}"\n')
    only(problems(root), "flow.toml flow_buttons.ok", "over 64")


def test_broken_ui_file(root: Path) -> None:
    append(root, "ui.toml", "\n[broken\n")
    found = problems(root)
    assert found and found[0].startswith("ui.toml:"), found


# --------------------------------------------------------------------------- lessons


def test_lesson_gap(root: Path) -> None:
    add_template(root, "lessons/6.html", "Шестой урок.", "[{ n = 6, total = 6 }]")
    only(problems(root), "lessons/6.html", "lesson 5 is missing")


def test_missing_lesson_title(root: Path) -> None:
    text = (root / "ui.toml").read_text(encoding="utf-8")
    write(root, "ui.toml", text.replace('4 = "«Озеро дохода» компании"\n', ""))
    found = problems(root)
    assert any("lesson_titles.4" in p and "missing" in p for p in found), found


def test_lesson_page_defect_names_the_lesson(root: Path) -> None:
    append(root, "lessons/2.html", "\n\n<blockquote>не закрыт")
    found = problems(root)
    assert any(p.startswith("lessons/2.html") and "Can't find end tag" in p for p in found)


def test_long_lesson_is_fine_because_it_is_split(root: Path) -> None:
    append(root, "lessons/3.html", "\n\n" + "\n\n".join(["Ещё один абзац текста. " * 20] * 10))
    assert problems(root) == []
    assert len(Content(root).lesson_pages(3)) > 1


# --------------------------------------------------------------------------- keyboards


def markup(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


def test_good_keyboard(root: Path) -> None:
    keyboard = markup(
        InlineKeyboardButton(text="Далее ▶️", callback_data="ls:" + "9" * 61),
        InlineKeyboardButton(text="Сайт", url="https://example.com"),
    )
    assert problems(root, [("nav", keyboard)]) == []


def test_callback_data_over_64_bytes(root: Path) -> None:
    keyboard = markup(InlineKeyboardButton(text="Далее", callback_data="ж" * 33))  # 66 bytes
    only(problems(root, [("nav", keyboard)]), "keyboard nav", "callback_data of 66 bytes")


def test_button_without_action(root: Path) -> None:
    keyboard = markup(InlineKeyboardButton(text="Ничего"))
    only(problems(root, [("menu", keyboard)]), "keyboard menu", "neither callback_data nor url")


def test_keyboard_label_and_url(root: Path) -> None:
    keyboard = markup(
        InlineKeyboardButton(text="Щ" * 65, callback_data="x"),
        InlineKeyboardButton(text="Файл", url="ftp://example.com/file"),
    )
    found = problems(root, [("kb", keyboard)])
    assert len(found) == 2, found
    assert any("over 64" in p for p in found)
    assert any("ftp://example.com/file" in p for p in found)


def test_the_bots_own_keyboards_are_collected_when_present(root: Path) -> None:
    keyboards, errors = load_sample_keyboards(Content())
    if importlib.util.find_spec("bot.keyboards") is None:
        assert (keyboards, errors) == ([], [])
    else:
        assert errors == [] or all("bot/keyboards.py" in e for e in errors)


def test_missing_keyboards_module_means_no_keyboards(monkeypatch: pytest.MonkeyPatch) -> None:
    def absent(name: str):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(content_check.importlib, "import_module", absent)
    assert load_sample_keyboards(Content()) == ([], [])


def test_broken_keyboards_module_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str):
        raise ImportError("cannot import name 'x'")

    monkeypatch.setattr(content_check.importlib, "import_module", broken)
    keyboards, errors = load_sample_keyboards(Content())
    assert keyboards == [] and errors and "bot/keyboards.py" in errors[0]


# --------------------------------------------------------------------------- CLI


def test_main_ok(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_check, "load_sample_keyboards", lambda content: ([], []))
    assert main(["--content-dir", str(root)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("check-content: OK")


def test_main_reports_problems(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_check, "load_sample_keyboards", lambda content: ([], ["kb: bad"]))
    write(root, "messages/new.html", "<b>x")
    assert main(["--content-dir", str(root)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "kb: bad"
    assert out[1].startswith("messages/new.html")
    assert out[-1].startswith("check-content: 2 problems")
