"""The preliminary checklist: every line from the article, every contradiction pointed out.

The article (lesson 1) defines the department types by who attracts leads; lesson 4 says the
strategic source is determined at the diagnostic «по специальному алгоритму». These stories
render the checklist for every department type × lead source × 1, 2 and 5 segments.
"""

from __future__ import annotations

import itertools

import pytest

from bot.checklist import SOURCE_TYPE, checklist_context, described_type, mismatch
from bot.content import Content
from bot.telegram_html import parse_html

TYPE_WORDS = {1: "первый тип", 2: "второй тип", 3: "третий, смешанный тип"}
SEGMENTS = {
    1: [{"name": "госзаказ"}],
    2: [{"name": "розница", "share": 60}, {"name": "дилеры", "share": 40}],
    5: [{"name": n} for n in ("розница", "дилеры", "интернет-магазин", "b2b", "экспорт")],
}
NOT_IN_THE_ARTICLE = (
    "Главный риск", "стык", "обмелеет", "пересохнет", "Начните со стратегического", "скрипты",
    "CRM", "свой «рецепт»",
)


def test_each_lead_source_describes_one_department_type() -> None:
    assert SOURCE_TYPE == {"marketing": 1, "sales": 2, "both": 3}
    assert described_type("") is None


@pytest.mark.parametrize(
    ("dept_type", "lead_source", "expected"),
    [
        (1, "marketing", None), (1, "sales", 2), (1, "both", 3),
        (2, "marketing", 1), (2, "sales", None), (2, "both", 3),
        (3, "marketing", 1), (3, "sales", 2), (3, "both", None),
        (1, "", None),
    ],
)
def test_mismatch_for_every_combination(dept_type: int, lead_source: str, expected: int) -> None:
    assert mismatch(dept_type, lead_source) == expected


def test_context_takes_the_strategic_segment_by_index_and_survives_odd_answers() -> None:
    context = checklist_context("2", "sales", SEGMENTS[2], 1)
    assert context == {
        "dept_type_number": 2, "lead_source": "sales", "segments": SEGMENTS[2],
        "strategic_name": "дилеры",
    }
    assert checklist_context(None, None, [], None)["strategic_name"] == ""
    assert checklist_context(9, "sales", SEGMENTS[1], 7)["dept_type_number"] == 1
    assert checklist_context(1, "sales", SEGMENTS[1], 7)["strategic_name"] == "госзаказ"


@pytest.mark.parametrize(
    ("dept_type", "lead_source", "count"),
    list(itertools.product((1, 2, 3), ("marketing", "sales", "both"), (1, 2, 5))),
)
def test_checklist_for_every_answer_combination(
    content: Content, dept_type: int, lead_source: str, count: int
) -> None:
    context = checklist_context(dept_type, lead_source, SEGMENTS[count], count - 1)
    text = parse_html(content.render("diagnostic/checklist.html", **context))[0]

    assert f"Тип отдела продаж: «{content.label(f'dept_type.{dept_type}')}»" in text
    other = SOURCE_TYPE[lead_source]
    if other == dept_type:
        assert "Ответы расходятся" not in text
    else:  # the answer about leads describes another type: say which
        assert "Ответы расходятся" in text and f"так работает {TYPE_WORDS[other]}" in text

    for segment in SEGMENTS[count]:
        assert f"• «{segment['name']}»" in text
    strategic = SEGMENTS[count][count - 1]["name"]
    if count > 1:  # the owner's view, checked at the diagnostic «по специальному алгоритму»
        assert f"Стратегическим вы считаете сегмент «{strategic}»" in text
        assert "консультант проверит это по специальному алгоритму" in text
    else:
        assert "Стратегическим" not in text
        assert "может быть до 5, но обычно их 2–3" in text

    assert "Сначала маркетинг, потом технология продаж" in text
    for part in ("Технология продажи и инструменты", "Компетентные сотрудники",
                 "Профессиональное управление"):
        assert part in text
    for claim in NOT_IN_THE_ARTICLE:
        assert claim not in text
