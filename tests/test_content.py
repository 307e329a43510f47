"""Rendering of the bot's texts (bot.content) and the texts themselves (content/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from bot.content import DEFAULT_CONTENT_DIR, Content, ContentError, number, plural
from bot.telegram_html import MESSAGE_LIMIT, parse_html, visible_length
from bot.template_lines import keep_line_breaks

HOSTILE = '<b>&"<script>'


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


def make_content(root: Path, files: dict[str, str]) -> Content:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Content(root)


MINIMAL_UI = """
[buttons]
diagnostic = "Записаться"
next = "Далее"

[lesson_titles]
1 = "Первый"
2 = "Второй"

[commands]
start = "Старт"

[hints]
hello = "Привет, {{ name }}!"

[alerts]
plain = "A & B"
"""


# --------------------------------------------------------------------------- Content API


def test_default_root_is_the_repos_content_folder(content: Content) -> None:
    assert content.root == Path(__file__).resolve().parent.parent / "content"
    assert DEFAULT_CONTENT_DIR == content.root
    assert Content(str(content.root)).root == content.root


def test_render_strips_and_collapses_blank_lines(tmp_path: Path) -> None:
    template = "\n\n  a  \n\n\n\n\nb\n  \n\n\nc\n\n"
    c = make_content(tmp_path, {"ui.toml": MINIMAL_UI, "t.html": template})
    assert c.render("t.html") == "a\n\nb\n\nc"


def test_a_tag_ending_a_line_of_text_keeps_its_line_break(tmp_path: Path) -> None:
    """What the author sees is what the owner reads: lines stay lines (bot.template_lines)."""
    template = (
        "<b>Сегменты:</b>\n"
        "{% for s in segments %}\n"
        "{{ loop.index }}. {{ s.name }}{% if s.share %} — {{ s.share }}%{% endif %}\n"
        "{% endfor %}\n"
        "{# a comment alone on its line leaves nothing #}\n"
        "<b>Имя:</b> {{ name }}{# a trailing comment keeps the break #}\n"
        "{% if phone %}<b>Телефон:</b> {{ phone }}{% endif %}\n"
        "Конец{%- if false %}{% endif -%}\n"
        "!"
    )
    content = make_content(tmp_path, {"ui.toml": MINIMAL_UI, "m.html": template})
    segments = [{"name": "розница", "share": 60}, {"name": "дилеры", "share": None}]
    assert content.render("m.html", segments=segments, name="Ольга", phone="+7") == (
        "<b>Сегменты:</b>\n1. розница — 60%\n2. дилеры\n<b>Имя:</b> Ольга\n"
        "<b>Телефон:</b> +7\nКонец!"  # an explicit `-%}` still trims
    )


def test_keep_line_breaks_marks_only_tags_that_end_a_line_of_text() -> None:
    assert keep_line_breaks("a{% endif %}\n") == "a{% endif +%}\n"
    assert keep_line_breaks("{{ x }}{% endif %}\n") == "{{ x }}{% endif +%}\n"
    assert keep_line_breaks("  {% endif %}\n") == "  {% endif %}\n"
    assert keep_line_breaks("{% endif %}{% if y %}\n") == "{% endif %}{% if y %}\n"
    assert keep_line_breaks("{#\n many\n lines\n#}\nx") == "{#\n many\n lines\n#}\nx"
    assert keep_line_breaks("a {# c #}\n") == "a {# c +#}\n"
    assert keep_line_breaks("a{% endif -%}\n") == "a{% endif -%}\n"
    assert keep_line_breaks("a{% if x %}b\n") == "a{% if x %}b\n"


def test_render_autoescapes_user_values(content: Content) -> None:
    html = content.render("messages/greeting.html", first_name=HOSTILE)
    assert HOSTILE not in html
    assert "&lt;b&gt;&amp;&#34;&lt;script&gt;" in html
    assert HOSTILE in parse_html(html)[0]  # the person sees their name as typed


def test_render_is_strict_about_missing_variables(content: Content) -> None:
    with pytest.raises(UndefinedError):
        content.render("messages/greeting.html")


def test_text_renders_html_snippets_escaped_and_caches(tmp_path: Path) -> None:
    c = make_content(tmp_path, {"ui.toml": MINIMAL_UI})
    assert c.text("hints.hello", name="<Аня>") == "Привет, &lt;Аня&gt;!"
    assert c._template("hints.hello", True) is c._template("hints.hello", True)
    with pytest.raises(UndefinedError):
        c.text("hints.hello")


def test_label_is_plain_text_not_escaped(tmp_path: Path) -> None:
    c = make_content(tmp_path, {"ui.toml": MINIMAL_UI})
    assert c.label("alerts.plain") == "A & B"
    assert c.text("hints.hello", name="A & B") == "Привет, A &amp; B!"
    assert c.label("hints.hello", name="<Аня>") == "Привет, <Аня>!"
    with pytest.raises(UndefinedError):
        c.label("hints.hello")


@pytest.mark.parametrize("key", ["buttons.nope", "nope.next", "buttons", "buttons.next.deeper"])
def test_unknown_key_is_a_key_error_naming_it(content: Content, key: str) -> None:
    with pytest.raises(KeyError, match=re.escape(repr(key))):
        content.text(key)
    with pytest.raises(KeyError, match=re.escape(repr(key))):
        content.label(key)


def test_commands_in_file_order(content: Content) -> None:
    names = [name for name, _ in content.commands()]
    assert names == [
        "start", "lessons", "diagnostic", "booking", "share", "privacy", "stop", "delete_me",
        "help",
        "cancel",
    ]
    assert [name for name, _ in content.group_commands()] == [
        "leads", "lead", "export", "stats", "agenda", "busy", "free", "send", "duty", "bind",
        "help",
    ]
    for _, description in content.commands() + content.group_commands():
        assert 0 < len(description) <= 256


def test_buttons_labels(content: Content) -> None:
    expected = {
        "start_lessons": "Начать обучение",
        "diagnostic": "Записаться на диагностику",
        "next": "Далее ▶️",
        "back": "◀️ Назад",
        "finish": "Завершить обучение ✅",
        "restart": "Начать сначала",
        "share": "Поделиться с друзьями",
        "menu": "В начало",
    }
    for key, label in expected.items():
        assert content.label(f"buttons.{key}") == label
    assert content.label("buttons.resume", n=3) == "Продолжить с урока 3"
    for key in content.ui["buttons"]:
        assert len(content.label(f"buttons.{key}", n=4)) <= 40


def test_extra_toml_files_are_merged_but_samples_are_not(tmp_path: Path) -> None:
    c = make_content(
        tmp_path,
        {
            "ui.toml": MINIMAL_UI,
            "flow.toml": '[flow_buttons]\nok = "Ок"\n',
            "flow.samples.toml": '["x.html"]\ncontexts = [{}]\n',
        },
    )
    assert c.label("flow_buttons.ok") == "Ок"
    assert c.ui_file_of("flow_buttons.ok") == "flow.toml"
    assert c.ui_file_of("buttons.next") == "ui.toml"
    assert "x.html" not in c.ui


def test_duplicate_table_across_files_is_an_error(tmp_path: Path) -> None:
    c = make_content(tmp_path, {"ui.toml": MINIMAL_UI, "other.toml": '[buttons]\nx = "y"\n'})
    message = r"other\.toml: \[buttons\] is already defined in ui\.toml"
    with pytest.raises(ContentError, match=message):
        c.ui  # noqa: B018


def test_broken_or_missing_ui_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"ui\.toml: not found"):
        Content(tmp_path).ui  # noqa: B018
    c = make_content(tmp_path, {"ui.toml": "[buttons\n"})
    with pytest.raises(ContentError, match=r"ui\.toml"):
        c.ui  # noqa: B018


def test_filters() -> None:
    numbers = (1, 2, 4, 5, 11, 12, 21, 22, 25, 111)
    assert [plural(n, "урок", "урока", "уроков") for n in numbers] == [
        "урок", "урока", "урока", "уроков", "уроков", "уроков", "урок", "урока", "уроков",
        "уроков",
    ]
    assert plural("3", "год", "года", "лет") == "года"
    years = (1, 2, 5, 11, 21, 22, 0)
    assert [f"{n} {plural(n, 'год', 'года', 'лет')}" for n in years] == [
        "1 год", "2 года", "5 лет", "11 лет", "21 год", "22 года", "0 лет",
    ]
    assert plural(2.5, "год", "года", "лет") == "года"  # «2,5 года»
    assert plural("1,5", "миллион", "миллиона", "миллионов") == "миллиона"
    assert number(3.0) == "3"
    assert number(2.5) == "2,5"
    assert number(10) == "10"
    assert number("2,5") == "2,5"


# --------------------------------------------------------------------------- lessons


def test_lesson_count_comes_from_the_files(content: Content, tmp_path: Path) -> None:
    assert content.lesson_count == 4
    files = {"ui.toml": MINIMAL_UI, "lessons/1.html": "a", "lessons/3.html": "c"}
    c = make_content(tmp_path, files)
    assert c.lesson_count == 1  # lesson 2 is missing, so 3 is never reached
    assert c.lesson_numbers() == {1, 3}


def test_lesson_pages_have_header_body_and_cta(content: Content) -> None:
    titles = {
        1: "Главный бизнес-процесс любой компании",
        2: "Любой бизнес работает на рынке",
        3: "Три части отдела продаж любого бизнеса",
        4: "«Озеро дохода» компании",
    }
    for index, title in titles.items():
        pages = content.lesson_pages(index)
        assert pages[0].startswith(f"<b>Урок {index} из 4</b>\n<b>{title}</b>\n\n")
        assert "Записаться на диагностику" in pages[-1].rsplit("\n\n", 1)[-1]
        for page in pages:
            assert visible_length(page) <= MESSAGE_LIMIT
            parse_html(page, strict=True)


@pytest.mark.parametrize("index", [0, 5, -1, True, "1"])
def test_lesson_index_out_of_range(content: Content, index: object) -> None:
    with pytest.raises(IndexError):
        content.lesson_pages(index)  # type: ignore[arg-type]


def test_lesson_pages_are_memoized(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = make_content(tmp_path, _lesson_files("Текст урока."))
    calls = []
    original = c.render
    monkeypatch.setattr(
        c, "render", lambda name, **ctx: calls.append(name) or original(name, **ctx)
    )
    first = c.lesson_pages(1)
    count = len(calls)
    assert c.lesson_pages(1) == first
    assert len(calls) == count
    first.append("mutated")
    assert c.lesson_pages(1) != first


def test_texts_without_context_are_rendered_once(tmp_path: Path) -> None:
    ui = MINIMAL_UI + "\n[quotes]\nnext = \"«{{ button('amp') }}»\"\n"
    ui = ui.replace('next = "Далее"', 'next = "Далее"\namp = "A & B"')
    c = make_content(tmp_path, {"ui.toml": ui, "messages/hi.html": "<b>Привет</b>\n\n\n!"})
    first = (c.render("messages/hi.html"), c.label("quotes.next"), c.text("quotes.next"))
    assert first == ("<b>Привет</b>\n\n!", "«A & B»", "«A &amp; B»")

    def no_more_rendering(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered again")

    c.env.get_template = no_more_rendering  # type: ignore[method-assign]
    c._template = no_more_rendering  # type: ignore[method-assign]
    assert (c.render("messages/hi.html"), c.label("quotes.next"), c.text("quotes.next")) == first


def test_texts_with_context_are_rendered_every_time(tmp_path: Path) -> None:
    c = make_content(tmp_path, {"ui.toml": MINIMAL_UI, "messages/hi.html": "Привет, {{ name }}"})
    assert c.render("messages/hi.html", name="Анна") == "Привет, Анна"
    assert c.render("messages/hi.html", name="<Олег>") == "Привет, &lt;Олег&gt;"
    assert c.text("hints.hello", name="Анна") == "Привет, Анна!"
    assert c.label("hints.hello", name="<Олег>") == "Привет, <Олег>!"
    with pytest.raises(UndefinedError):  # and a missing value is still an error, not cached
        c.render("messages/hi.html")
    with pytest.raises(UndefinedError):
        c.render("messages/hi.html")


def _lesson_files(body: str) -> dict[str, str]:
    return {
        "ui.toml": MINIMAL_UI,
        "lessons/1.html": body,
        "lessons/2.html": "Второй урок.",
        "messages/lesson_header.html": "<b>Урок {{ n }} из {{ total }}</b>\n<b>{{ title }}</b>",
        "messages/lesson_cta_1.html": "Запишитесь.",
        "messages/lesson_cta_2.html": "Запишитесь.",
    }


def test_long_lesson_is_split_with_the_header_on_the_first_page(tmp_path: Path) -> None:
    paragraph = "<b>Мысль.</b> " + "Слово за словом. " * 40
    c = make_content(tmp_path, _lesson_files("\n\n".join([paragraph] * 12)))
    pages = c.lesson_pages(1)
    assert len(pages) > 1
    assert pages[0].startswith("<b>Урок 1 из 2</b>\n<b>Первый</b>")
    assert all("Урок 1 из 2" not in page for page in pages[1:])
    assert pages[-1].endswith("Запишитесь.")
    assert all(visible_length(page) <= MESSAGE_LIMIT for page in pages)


# --------------------------------------------------------------------------- the texts


def lesson_text(content: Content, index: int) -> str:
    return "\n\n".join(parse_html(page)[0] for page in content.lesson_pages(index))


def test_lessons_are_faithful_to_the_article(content: Content) -> None:
    one = lesson_text(content, 1)
    for phrase in ("Привлечь лида", "Продать лиду в первый раз", "Продавать клиенту постоянно",
                   "Первый тип", "Второй тип", "Третий тип", "«шашки»", "обратившимися лидами"):
        assert phrase in one
    two = lesson_text(content, 2)
    for phrase in ("Покупатель", "Продавец", "технология продаж", "санки, которые катят по резине",
                   "P.S.", "маркетинг = покупатель + продавец"):
        assert phrase in two
    three = lesson_text(content, 3)
    for phrase in ("Технология продажи и инструменты по работе с клиентами",
                   "Компетентные сотрудники", "Профессиональное управление",
                   "меню", "Рецепт его приготовления", "бригада поваров", "шеф-повар",
                   "удовольствие от еды"):
        assert phrase in three
    four = lesson_text(content, 4)
    for phrase in ("озеро дохода", "родник или тающий ледник", "забетонированным руслом",
                   "до 5, но обычно их 2–3", "тоже 2–3", "воронка продаж", "стратегии продаж",
                   "диагностика отдела продаж"):
        assert phrase in four


def test_lessons_drop_the_site_footer_and_fix_typography(content: Content) -> None:
    for index in range(1, 5):
        text = lesson_text(content, index)
        assert "Facebook" not in text
        assert "правом верхнем углу" not in text
        assert '"' not in text and "“" not in text  # « » quotes only
        assert " - " not in text and " – " not in text  # em dashes
        assert "3-х" not in text
    assert "трёх" in lesson_text(content, 1)


def test_greeting(content: Content) -> None:
    html = content.render("messages/greeting.html", first_name="Анна")
    text = parse_html(html)[0]
    assert text.startswith("Здравствуйте, Анна!")
    assert "«Начать обучение»" in text and "«Записаться на диагностику»" in text
    assert "4 урока" in text and "бесплатная диагностика" in text
    assert parse_html(content.render("messages/greeting.html", first_name=""))[0].startswith(
        "Здравствуйте!"
    )


def test_greeting_back_offers_to_resume_and_never_greets_twice(content: Content) -> None:
    variants = {
        lesson: parse_html(
            content.render("messages/greeting_back.html", first_name="Анна", lesson=lesson, total=4)
        )[0]
        for lesson in (0, 2, 4, 7)
    }
    assert all(text.startswith("С возвращением, Анна!") for text in variants.values())
    assert all("Здравствуйте" not in text for text in variants.values())
    assert "уроке 2 из 4" in variants[2]
    assert "последнего урока" in variants[4] and variants[7] == variants[4]
    assert len(set(variants.values())) == 3


def test_final_cta_uses_the_settings(content: Content) -> None:
    text = parse_html(content.render("messages/final_cta.html", min_turnover=5.0, min_years=1))[0]
    assert "более 5 млн ₽ в месяц" in text
    assert "более 1 года" in text
    assert (
        "анализ и рекомендации с чек-листом, в которых будет отражён порядок действий "
        "для построения системы продаж" in text
    )
    assert text.endswith("Если было полезно — поделитесь с друзьями.")
    text = parse_html(content.render("messages/final_cta.html", min_turnover="2,5", min_years=3))[0]
    assert "более 2,5 млн ₽" in text and "более 3 лет" in text


def test_help_lists_every_command(content: Content) -> None:
    text = parse_html(content.render("messages/help.html"))[0]
    for name, description in content.commands():
        assert f"/{name} — {description}" in text


def test_cancel_says_whether_something_was_cancelled(content: Content) -> None:
    cancelled = content.render("messages/cancel.html", had_state=True)
    nothing = content.render("messages/cancel.html", had_state=False)
    assert "отменено" in cancelled and "нечего" in nothing


def test_unknown_input_differs_by_place_and_kind(content: Content) -> None:
    def hint(where: str, kind: str, lesson: int = 2) -> str:
        return content.render(
            "messages/unknown_input.html", where=where, kind=kind, lesson=lesson, total=4
        )

    places = {hint("menu", "text"), hint("lesson", "text"), hint("diagnostic", "text")}
    assert len(places) == 3
    all_kinds = ("text", "command", "sticker", "photo", "voice", "other")
    kinds = {hint("menu", kind) for kind in all_kinds}
    assert len(kinds) == 6
    assert "«Далее ▶️»" in hint("lesson", "text", 1)
    assert "«Завершить обучение ✅»" in hint("lesson", "text", 4)
    assert "/cancel" in hint("diagnostic", "photo")


CONDITION_TEXTS = {  # every text that states the conditions, with its other variables
    "messages/final_cta.html": {},
    "diagnostic/intro.html": {},
    "diagnostic/unqualified.html": {"turnover_ok": False, "years_ok": True},
    "diagnostic/qualification.html": {
        "turnover": "от 1 до 3 млн ₽", "years": "от 1 до 3 лет", "turnover_ok": False,
        "years_ok": False,
    },
}


@pytest.mark.parametrize(
    ("min_turnover", "min_years", "turnover_rule", "years_rule"),
    [
        (3.0, 3, "более 3 млн ₽ в месяц", "более 3 лет"),  # the article's
        (1, 1, "более 1 млн ₽ в месяц", "более 1 года"),  # never «от 1 лет»
        ("2,5", 21, "более 2,5 млн ₽ в месяц", "более 21 года"),
        (10, 2, "более 10 млн ₽ в месяц", "более 2 лет"),
    ],
)
def test_the_conditions_read_the_same_in_every_text(
    content: Content, min_turnover: object, min_years: int, turnover_rule: str, years_rule: str
) -> None:
    """The article: «Оборот компании более 3 млн. руб. в месяц», «Работа на рынке более 3-х лет»."""
    for name, ctx in CONDITION_TEXTS.items():
        html = content.render(name, min_turnover=min_turnover, min_years=min_years, **ctx)
        text = parse_html(html)[0]
        assert turnover_rule in text and years_rule in text, name
        assert not re.search(r"от \d+(,\d+)? (лет|года|млн ₽ в месяц|млн ₽/мес)", text), name


def test_no_template_words_a_threshold_itself(content: Content) -> None:
    """Thresholds reach a text only through label("conditions.…"): one wording, one place."""
    for name in content.templates():
        source = (content.root / name).read_text(encoding="utf-8")
        for expression in re.findall(r"\{\{(.*?)\}\}", source):
            if re.search(r"\bmin_(turnover|years)\b", expression):
                assert expression.strip().startswith('label("conditions.'), (name, expression)


def test_no_template_uses_safe(content: Content) -> None:
    for name in content.templates():
        assert "|safe" not in (content.root / name).read_text(encoding="utf-8").replace(" ", "")
