"""An owner's steps to the booking, as stories use them."""

from __future__ import annotations

from tests.kit.drivers import Person
from tests.kit.views import MessageView
from tests.stories import answer_the_contacts, give_consent


async def submit_request(owner: Person, company: str = "ООО «Ромашка»") -> MessageView:
    """A qualified request with two segments (розница, дилеры), lead source «Маркетинг»;
    returns the free days offered after it."""
    await give_consent(owner)
    await answer_the_contacts(owner, owner.first_name, company)
    await owner.expect("Проверьте заявку")
    await owner.click("✅ Отправить")
    return await owner.expect("Выберите день диагностики")


def labels(message: MessageView) -> list[str]:
    return [button.text for button in message.buttons]


async def book(owner: Person, day: str, time: str) -> MessageView:
    """From the free days on screen: a day, then a time; returns the confirmation."""
    await owner.click(day)
    await owner.expect("свободное время")
    await owner.click(time)
    return await owner.expect("Вы записаны на диагностику")


async def request_and_book(
    owner: Person, day: str, time: str, company: str = "ООО «Ромашка»"
) -> MessageView:
    """A request (`submit_request`), then a day and a time (`book`); returns the
    confirmation."""
    await submit_request(owner, company=company)
    return await book(owner, day, time)


async def reschedule(
    owner: Person, day: str, time: str, *, on: MessageView | None = None
) -> MessageView:
    """«🔁 Перенести» (on `on`, else on the newest message with it), then a day and a time;
    returns the notice of the move."""
    await owner.click("🔁 Перенести", on=on)
    await owner.expect("Перенос записи")
    await owner.click(day)
    await owner.expect("свободное время")
    await owner.click(time)
    return await owner.expect("Запись перенесена")


async def cancel_without_reason(owner: Person) -> MessageView:
    """«✖️ Отменить» on the newest message with it, then «Отменить без причины»."""
    await owner.click("✖️ Отменить")
    await owner.click("Отменить без причины")
    return await owner.expect("Запись отменена")
