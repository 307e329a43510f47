"""The questionnaire is data: a question added to a copy of the declaration is asked, taken,
re-asked, reviewed, edited and walked back over without any handler knowing about it; and
no module but the declaration names the diagnostic's questions."""

from __future__ import annotations

import ast
import dataclasses
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import create_app, create_bot
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.emulator.world import Emulator
from bot.flows.diagnostic import QUESTIONNAIRE
from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.form import Form, Kind, Question
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.session import EmulatorSession
from tests.stories import answer_from_the_name_to_the_review, answer_until_lead_source

ROOT = Path(__file__).resolve().parents[1]


class BudgetDraft(Draft):
    budget: int | None = None


BUDGET = Question(
    "budget", Kind.NUMBER, "budget", bounds=(1, 10_000), skip=True, review="budget",
    edit="budget",
)


def with_budget() -> Form:
    """The real declaration, with a question about the marketing budget after «кто приводит
    лидов» — declared here only, as a maintainer would add it."""
    parts = list(QUESTIONNAIRE.parts)
    at = next(i for i, part in enumerate(parts) if getattr(part, "key", "") == "lead_source")
    parts.insert(at + 1, BUDGET)
    return dataclasses.replace(QUESTIONNAIRE, parts=tuple(parts), draft_model=BudgetDraft)


@pytest.fixture
def budget_content(tmp_path: Path) -> Content:
    """The content folder with the new question's template, review label and edit button."""
    root = tmp_path / "content"
    shutil.copytree(ROOT / "content", root)
    (root / "diagnostic" / "q_budget.html").write_text(
        "<b>Вопрос {{ number }}.</b> Сколько тысяч рублей в месяц уходит на маркетинг?",
        encoding="utf-8",
    )
    toml = root / "diagnostic.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("[review]\n", '[review]\nbudget = "Бюджет на маркетинг, тыс. ₽"\n')
    text = text.replace("[edit]\n", '[edit]\nbudget = "✏️ Бюджет"\n')
    toml.write_text(text, encoding="utf-8")
    return Content(root)


@pytest.fixture
async def budget_world(
    settings: Settings, repo: Repositories, budget_content: Content
) -> AsyncIterator[InProcessWorld]:
    bot = create_bot(settings, session=EmulatorSession(Emulator()))
    app = create_app(
        settings, repo=repo, content=budget_content, bot=bot, questionnaire=with_budget()
    )
    async with InProcessWorld.for_app(app) as world:
        yield world
    await bot.session.close()


async def test_a_question_added_to_the_declaration_is_walked_without_touching_a_handler(
    budget_world: InProcessWorld, repo: Repositories
) -> None:
    owner = await budget_world.user("Анна")
    await answer_until_lead_source(owner)
    question = await owner.expect("уходит на маркетинг")
    assert "Вопрос 5." in question.content  # numbered where it was declared
    await owner.send("много")  # not a number: a hint, the same question
    again = await owner.expect("Нужно целое число от 1 до 10000")
    assert "уходит на маркетинг" in again.content
    await owner.click("◀️ Назад")  # back to the question before it
    await owner.expect("приводит в компанию лидов")
    await owner.click("Маркетинг")
    await owner.expect("уходит на маркетинг")
    await owner.send("300")
    await owner.expect("сегментов целевой аудитории")  # and on to the next one
    await owner.click("1")
    await owner.send("розница")
    await owner.click("Даю согласие")
    review = await answer_from_the_name_to_the_review(
        owner, "Анна", "ООО «Ромашка»", "+7 916 123-45-67", position=None, typed=True
    )
    assert "Бюджет на маркетинг, тыс. ₽: 300" in review.content
    await owner.click("✏️ Бюджет")  # its own edit button on the review
    await owner.expect("уходит на маркетинг")
    await owner.send("450")
    review = await owner.expect("Проверьте заявку")  # straight back to the review
    assert "Бюджет на маркетинг, тыс. ₽: 450" in review.content
    await owner.click("✅ Отправить")
    await owner.expect("Заявка принята")
    assert await repo.leads.for_user(owner.id) is not None


def test_no_module_but_the_declaration_names_a_question() -> None:
    """The diagnostic's steps are named in one place: a string literal equal to a question's
    key appears in the declaration and nowhere else in the flows and handlers (stored
    answers and their labels are the lead's data, read by name elsewhere)."""
    keys = set(QUESTIONNAIRE.questions)
    declaration = ROOT / "bot" / "flows" / "diagnostic" / "questionnaire.py"
    named: list[str] = []
    for folder in ("bot/flows", "bot/handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == declaration:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in keys:
                    named.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert not named, named
