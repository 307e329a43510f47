"""The steps of an owner's story that many tests walk: the lessons and the diagnostic request.

Each helper waits for what the bot says at every step, so a story that uses one fails where
the walk went wrong. Tests add their own checks before, between and after them."""

from __future__ import annotations

from tests.kit.drivers import Person
from tests.kit.views import MessageView

# -- the lessons --------------------------------------------------------------------------------


async def greeted(owner: Person) -> MessageView:
    """/start from an owner new to the bot; returns the greeting, which names them."""
    await owner.send("/start")
    return await owner.expect(f"Здравствуйте, {owner.first_name}")


async def start_the_lessons(owner: Person) -> MessageView:
    """/start, then «Начать обучение»; returns lesson 1."""
    await owner.send("/start")
    await owner.click("Начать обучение")
    return await owner.expect("Урок 1 из 4")


async def open_lesson(owner: Person, number: int) -> MessageView:
    """/lessons from the first lesson, then «Далее» up to lesson `number`; returns it."""
    await owner.send("/lessons")
    for _ in range(number - 1):
        await owner.click("Далее")
    return await owner.expect(f"Урок {number} из 4")


async def read_the_lessons(owner: Person, last: str = "бесплатная диагностика") -> MessageView:
    """From the greeting: start the lessons, page through all four, finish; the message that
    follows them (it contains `last`)."""
    await owner.click("Начать обучение")
    await owner.expect("Урок 1 из 4")
    for n in (2, 3, 4):
        await owner.click("Далее")
        await owner.expect(f"Урок {n} из 4")
    await owner.click("Завершить обучение")
    return await owner.expect(last)


# -- the diagnostic request ---------------------------------------------------------------------


async def answer_turnover_and_years(owner: Person, turnover: str, years: str) -> None:
    """From the question of the turnover: its answer, then the years on the market."""
    await owner.expect("Какой у компании оборот")
    await owner.click(turnover)
    await owner.expect("Сколько лет")
    await owner.click(years)


async def answer_qualification(
    owner: Person, turnover: str = "более 3, до 10 млн ₽", years: str = "более 5, до 10 лет"
) -> None:
    await owner.send("/diagnostic")
    await answer_turnover_and_years(owner, turnover, years)


async def answer_until_dept_type(owner: Person) -> MessageView:
    """A qualified owner's first two answers; returns the question about the sales team."""
    await answer_qualification(owner)
    return await owner.expect("тип отдела продаж")


async def answer_until_lead_source(owner: Person) -> None:
    """Qualified, a team selling to marketing's leads, leads from «Маркетинг» (the question
    that follows is left to the caller)."""
    await answer_until_dept_type(owner)
    await owner.click("Продаёт лидам от маркетинга")
    await owner.expect("приводит в компанию лидов")
    await owner.click("Маркетинг")


async def answer_until_segments(owner: Person) -> MessageView:
    """`answer_until_lead_source`; returns the question about the number of segments."""
    await answer_until_lead_source(owner)
    return await owner.expect("сегментов целевой аудитории")


async def answer_until_consent(
    owner: Person, segments: tuple[str, ...] = ("розница", "дилеры")
) -> None:
    await answer_until_segments(owner)
    await owner.click(str(len(segments)))
    for index, name in enumerate(segments):
        await owner.expect("назовёте")
        await owner.send(name)
        await owner.expect("долю выручки")
        if index == 0:
            await owner.send("60%")
        else:
            await owner.click("Пропустить")
    if len(segments) > 1:
        await owner.expect("стратегическим")
        await owner.click(f"⭐️ {segments[-1]}")
    await owner.expect("Согласие на обработку")


async def give_consent(
    owner: Person, segments: tuple[str, ...] = ("розница", "дилеры")
) -> MessageView:
    """Answers up to the consent (`answer_until_consent`) and «Даю согласие»; returns the
    question of the name."""
    await answer_until_consent(owner, segments)
    await owner.click("Даю согласие")
    return await owner.expect("Как к вам обращаться")


async def answer_the_contacts(
    owner: Person,
    name: str,
    company: str,
    phone: str | None = None,
    *,
    position: str | None = "генеральный директор",
    typed: bool = False,
) -> None:
    """From the question of the name: the name, the company, the position (None: skipped),
    then the phone: the contact shared with the button (`phone`, else the owner's own number),
    or `phone` typed as text."""
    await owner.send(name)
    await owner.expect("Как называется ваша компания")
    await owner.send(company)
    await owner.expect("Ваша должность")
    if position is None:
        await owner.click("Пропустить")
    else:
        await owner.send(position)
    await owner.expect("Ваш телефон")
    if typed:
        assert phone is not None, "a typed phone needs a number"
        await owner.send(phone)
    else:
        await owner.share_contact(phone)


async def answer_from_the_name_to_the_review(
    owner: Person,
    name: str,
    company: str,
    phone: str | None = None,
    call_time: str = "Утром, 9–12",
    *,
    position: str | None = "генеральный директор",
    typed: bool = False,
) -> MessageView:
    """`answer_the_contacts`, then the call time picked with its button; returns the review."""
    await answer_the_contacts(owner, name, company, phone, position=position, typed=typed)
    await owner.expect("Когда вам удобно")
    await owner.click(call_time)
    return await owner.expect("Проверьте заявку")


async def answer_until_review(owner: Person) -> MessageView:
    """The whole request of Анна from ООО «Ромашка» (`give_consent`, then
    `answer_from_the_name_to_the_review`); returns the review."""
    await give_consent(owner)
    return await answer_from_the_name_to_the_review(
        owner, "Анна", "ООО «Ромашка»", "+7 916 123-45-67"
    )


async def send_the_request(owner: Person) -> MessageView:
    """The whole request (`answer_until_review`), then «✅ Отправить»; returns the
    acknowledgement."""
    await answer_until_review(owner)
    await owner.click("✅ Отправить")
    return await owner.expect("Заявка принята")


async def update_the_request(
    owner: Person, turnover: str, segment: str, phone: str
) -> MessageView:
    """An owner whose request is in asks again: /diagnostic, «Обновить заявку», new answers
    (more than 10 years, a team that finds and sells on its own, one segment, the name and
    «Ромашка», no position, `phone` typed, «В любое время»), sent; returns the
    acknowledgement."""
    await owner.send("/diagnostic")
    await owner.expect("уже у нас")
    await owner.click("Обновить заявку")
    await answer_turnover_and_years(owner, turnover, "более 10 лет")
    await owner.expect("тип отдела продаж")
    await owner.click("Сам привлекает и продаёт")
    await owner.expect("приводит в компанию лидов")
    await owner.click("Отдел продаж")
    await owner.expect("сегментов")
    await owner.click("1")
    await owner.expect("назовёте")
    await owner.send(segment)  # one segment: no share to ask
    await owner.expect("Согласие")
    await owner.click("Даю согласие")
    await owner.expect("Как к вам обращаться")
    await answer_from_the_name_to_the_review(
        owner, owner.first_name, "Ромашка", phone, "В любое время", position=None, typed=True
    )
    await owner.click("✅ Отправить")
    return await owner.expect("Заявка принята")


async def submit_button(owner: Person) -> tuple[MessageView, str]:
    """The review on screen and its «✅ Отправить» callback data, to press it by hand."""
    review = await owner.last_bot_message()
    assert review is not None
    submit = review.button("✅ Отправить")
    assert submit is not None and submit.callback_data
    return review, submit.callback_data
