"""Keyboards built once per content are shared, and nothing that sends them changes them."""

from __future__ import annotations

import importlib

from bot.content import Content
from bot.db.repos import Repositories
from bot.flows.diagnostic import QUESTIONNAIRE
from bot.flows.diagnostic import keyboards as diagnostic
from bot.flows.diagnostic.draft import Draft
from bot.keyboard_cache import _built
from bot.keyboards import after_lessons, lesson_nav
from tests.kit.drivers import Person
from tests.stories import send_the_request


def test_a_keyboard_is_built_once_per_content_and_arguments(content: Content) -> None:
    assert lesson_nav(content, 2, 4) is lesson_nav(content, 2, 4)
    assert lesson_nav(content, 3, 4) is not lesson_nav(content, 2, 4)
    questions = list(QUESTIONNAIRE.questions.values())
    text, skippable = (
        next(q for q in questions if q.limit and q.skip is skip and not q.codes)
        for skip in (False, True)
    )
    draft = Draft()
    assert diagnostic.question_markup(content, QUESTIONNAIRE, text, draft) is (
        diagnostic.question_markup(content, QUESTIONNAIRE, text, draft)
    )
    assert diagnostic.question_markup(content, QUESTIONNAIRE, skippable, draft) != (
        diagnostic.question_markup(content, QUESTIONNAIRE, text, draft)
    )
    other = Content(content.root)
    assert after_lessons(other) is not after_lessons(content)
    assert after_lessons(other) == after_lessons(content)


def test_a_keyboard_with_the_owners_words_is_not_kept(content: Content) -> None:
    pick = next(q for q in QUESTIONNAIRE.questions.values() if q.pick is not None)
    draft = Draft.load({"seg_count": 2, "segments": [{"name": "розница"}, {"name": "опт"}]})
    first = diagnostic.question_markup(content, QUESTIONNAIRE, pick, draft)
    assert diagnostic.question_markup(content, QUESTIONNAIRE, pick, draft) is not first
    assert first == diagnostic.question_markup(content, QUESTIONNAIRE, pick, draft)


async def test_a_whole_journey_leaves_every_shared_keyboard_as_built(
    owner: Person, repo: Repositories, content: Content
) -> None:
    await owner.send("/start")
    await owner.click("Начать обучение")
    for _ in range(3):
        await owner.click("Далее ▶️")
    await owner.click("◀️ Назад")
    await owner.click("Далее ▶️")
    await owner.click("Завершить обучение ✅")
    await send_the_request(owner)
    assert await repo.leads.for_user(owner.id) is not None

    shared = _built[content]
    assert len(shared) >= 15  # the journey went through the lessons and the whole request
    for (qualname, module, args, kwargs), markup in shared.items():
        build = getattr(importlib.import_module(module), qualname).__wrapped__
        assert markup == build(content, *args, **dict(kwargs)), qualname
