"""An owner's steps to the booking, as stories use them."""

from __future__ import annotations

from tests.kit.drivers import Person
from tests.kit.views import MessageView
from tests.stories import give_consent


async def submit_request(owner: Person, company: str = "ООО «Ромашка»") -> MessageView:
    """A qualified request with two segments (розница, дилеры), lead source «Маркетинг»;
    returns the free days offered after it."""
    await give_consent(owner)
    await owner.send(owner.first_name)
    await owner.expect("Как называется ваша компания")
    await owner.send(company)
    await owner.expect("Ваша должность")
    await owner.send("генеральный директор")
    await owner.expect("Ваш телефон")
    await owner.share_contact()
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
