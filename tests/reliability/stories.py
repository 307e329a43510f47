"""User stories of the reliability suite: what an owner answers, step by step.

A `Request` is one owner's diagnostic request as data (their answers); `steps()` turns it
into the actions they take in the chat, each with the text the bot must show next, and
`expected_lead()` is the row the database must hold afterwards. The same stories run
against the real process over HTTP and against the dispatcher in process.

    for step in request.steps():
        await step.act(owner)
        await owner.expect(step.reply)
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.content import Content
from bot.phone import normalize_phone
from tests.kit.drivers import Person

CONTENT = Content()

QUALIFYING_TURNOVER = ("3_10", "10_50", "gt50")
QUALIFYING_YEARS = ("3_5", "5_10", "gt10")
TURNOVERS = ("lt1", "1_3", *QUALIFYING_TURNOVER)
YEARS = ("lt1", "1_3", *QUALIFYING_YEARS)
DEPT_TYPES = ("1", "2", "3")
LEAD_SOURCES = ("marketing", "sales", "both")
CALL_TIMES = ("morning", "day", "evening", "any")
SEGMENT_NAMES = ("розница", "опт", "дилеры", "B2B", "HoReCa", "госзаказ", "маркетплейсы")
OWNER_NAMES = ("Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Жанна", "Зоя")
COMPANIES = ("ООО «Ромашка»", "АО «Василёк»", "ИП Петров", "Торговый дом «Север»")
POSITIONS = ("генеральный директор", "коммерческий директор", None)

# What the bot says at each point (substrings of the content).
ASK_TURNOVER = "Какой у компании оборот"
ASK_YEARS = "Сколько лет"
ASK_DEPT = "тип отдела продаж"
ASK_SOURCE = "приводит в компанию лидов"
ASK_COUNT = "сегментов целевой аудитории"
ASK_SEGMENT = "назовёте"
ASK_SHARE = "долю выручки"
ASK_STRATEGIC = "стратегическим"
ASK_CONSENT = "Согласие на обработку"
ASK_NAME = "Как к вам обращаться"
ASK_COMPANY = "Как называется ваша компания"
ASK_POSITION = "Ваша должность"
ASK_PHONE = "Ваш телефон"
ASK_PHONE_CONFIRM = "не ваш аккаунт"
ASK_CALL_TIME = "Когда вам удобно"
REVIEW = "Проверьте заявку"
ACCEPTED = "Заявка принята"
CHECKLIST = "Предварительный чек-лист"
NOT_QUALIFIED = "проводится для компаний, у которых"
DECLINED = "Без согласия мы не запрашиваем"

Action = Callable[[Person], Awaitable[object]]


def label(key: str) -> str:
    return CONTENT.label(key)


@dataclass(frozen=True)
class Step:
    """One thing the owner does, and (a substring of) what the bot must show next."""

    what: str  # for failure messages: "click 'более 3, до 10 млн ₽'"
    act: Action
    reply: str


def send(text: str, reply: str) -> Step:
    return Step(f"send {text!r}", lambda owner: owner.send(text), reply)


def click(button: str, reply: str) -> Step:
    return Step(f"click {button!r}", lambda owner: owner.click(button), reply)


def share_contact(phone: str, reply: str) -> Step:
    return Step(f"share contact {phone}", lambda owner: owner.share_contact(phone), reply)


@dataclass(frozen=True)
class Request:
    """An owner's answers to the diagnostic questionnaire."""

    turnover: str = "3_10"
    years: str = "5_10"
    dept_type: str = "1"
    lead_source: str = "marketing"
    segments: tuple[tuple[str, int | None], ...] = (("розница", 60), ("дилеры", None))
    strategic: int = 1
    consent: bool = True
    name: str = "Анна"
    company: str = "ООО «Ромашка»"
    position: str | None = "генеральный директор"
    phone: str = "+7 916 123-45-67"
    phone_by_contact: bool = True
    someone_elses_contact: bool = False  # shares a colleague's contact and confirms it
    call_time: str = "morning"

    @property
    def qualified(self) -> bool:
        return self.turnover in QUALIFYING_TURNOVER and self.years in QUALIFYING_YEARS

    @property
    def submits(self) -> bool:
        """True when the journey ends with a lead row (submitted or not qualified)."""
        return not self.qualified or self.consent

    @property
    def confirmation(self) -> str:
        """What the owner sees last: the acceptance, the verdict or the declined notice."""
        if not self.qualified:
            return NOT_QUALIFIED
        return ACCEPTED if self.consent else DECLINED

    def steps(self) -> list[Step]:
        steps = [
            send("/diagnostic", ASK_TURNOVER),
            click(label(f"turnover.{self.turnover}"), ASK_YEARS),
        ]
        if not self.qualified:
            steps.append(click(label(f"years.{self.years}"), NOT_QUALIFIED))
            return steps
        count = len(self.segments)
        steps += [
            click(label(f"years.{self.years}"), ASK_DEPT),
            click(label(f"dept_type.{self.dept_type}"), ASK_SOURCE),
            click(label(f"lead_source.{self.lead_source}"), ASK_COUNT),
            click(str(count), ASK_SEGMENT),
        ]
        for index, (name, share) in enumerate(self.segments):
            last = index == count - 1
            after = ASK_SEGMENT if not last else (ASK_STRATEGIC if count > 1 else ASK_CONSENT)
            if count == 1:  # one source brings all the revenue: no share is asked
                steps.append(send(name, after))
                continue
            steps.append(send(name, ASK_SHARE))
            if share is not None:
                steps.append(send(f"{share}%", after))
            else:
                steps.append(click(label("diag_buttons.skip"), after))
        if count > 1:
            steps.append(click(f"⭐️ {self.segments[self.strategic][0]}", ASK_CONSENT))
        if not self.consent:
            steps.append(click(label("diag_buttons.decline"), DECLINED))
            return steps
        steps += [
            click(label("diag_buttons.agree"), ASK_NAME),
            send(self.name, ASK_COMPANY),
            send(self.company, ASK_POSITION),
            send(self.position, ASK_PHONE)
            if self.position is not None
            else click(label("diag_buttons.skip"), ASK_PHONE),
            *self._phone_steps(),
            click(label(f"call_time.{self.call_time}"), REVIEW),
            click(label("diag_buttons.submit"), ACCEPTED),
        ]
        return steps

    def _phone_steps(self) -> list[Step]:
        if self.someone_elses_contact:
            return [
                Step(
                    f"share someone else's contact {self.phone}",
                    lambda owner: owner.share_contact(
                        self.phone, first_name="Секретарь", own=False
                    ),
                    ASK_PHONE_CONFIRM,
                ),
                click(label("phone_confirm.yes"), ASK_CALL_TIME),
            ]
        if self.phone_by_contact:
            return [share_contact(self.phone, ASK_CALL_TIME)]
        return [send(self.phone, ASK_CALL_TIME)]

    def expected_lead(self) -> dict[str, Any] | None:
        """The lead row this request leaves (None: no lead, consent was declined)."""
        if not self.submits:
            return None
        if not self.qualified:
            return {
                "status": "unqualified", "qualified": False, "name": None, "company": None,
                "position": None, "phone": None, "call_time": None, "submissions": 1,
                "answers": {
                    "turnover": self.turnover, "years": self.years, "dept_type": None,
                    "lead_source": None, "segments": None, "strategic": None,
                },
            }
        return {
            "status": "new", "qualified": True, "name": self.name, "company": self.company,
            "position": self.position, "phone": normalize_phone(self.phone),
            "call_time": label(f"call_time.{self.call_time}"), "submissions": 1,
            "answers": {
                "turnover": self.turnover, "years": self.years,
                "dept_type": int(self.dept_type), "lead_source": self.lead_source,
                "segments": [
                    {"name": n, "share": s if len(self.segments) > 1 else None}
                    for n, s in self.segments
                ],
                "strategic": self.strategic if len(self.segments) > 1 else 0,
            },
        }


def lead_fields(row: Any) -> dict[str, Any]:
    """The fields `expected_lead` describes, from a LeadRow."""
    return {
        "status": row.status, "qualified": row.qualified, "name": row.name,
        "company": row.company, "position": row.position, "phone": row.phone,
        "call_time": row.call_time, "submissions": row.submissions, "answers": row.answers,
    }


def phone_for(index: int) -> str:
    """A valid Moscow mobile number, typed in one of the ways owners type them."""
    digits = f"{(9161000000 + index * 7919) % 10**10:010d}"
    digits = "916" + digits[3:]
    formats = (
        f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        f"+7{digits}",
    )
    return formats[index % len(formats)]


def random_request(rng: random.Random, index: int, *, qualified_share: float = 0.8) -> Request:
    """A varied request: mostly qualified and consenting, sometimes not."""
    if rng.random() < qualified_share:
        turnover, years = rng.choice(QUALIFYING_TURNOVER), rng.choice(QUALIFYING_YEARS)
    else:
        turnover, years = rng.choice(TURNOVERS), rng.choice(("lt1", "1_3"))
    count = rng.randint(1, 3)
    names = rng.sample(SEGMENT_NAMES, count)
    segments = []
    left = 100  # shares of all segments add up to 100 % at most
    for name in names:
        share = rng.choice((None, 10, 30, 60, 100))
        if share is not None and share > left:
            share = None
        left -= share or 0
        segments.append((name, share))
    return Request(
        turnover=turnover,
        years=years,
        dept_type=rng.choice(DEPT_TYPES),
        lead_source=rng.choice(LEAD_SOURCES),
        segments=tuple(segments),
        strategic=rng.randrange(count),
        consent=rng.random() < 0.9,
        name=rng.choice(OWNER_NAMES),
        company=rng.choice(COMPANIES),
        position=rng.choice(POSITIONS),
        phone=phone_for(index),
        phone_by_contact=rng.random() < 0.5,
        call_time=rng.choice(CALL_TIMES),
    )


def lessons_steps() -> list[Step]:
    """All four lessons and the call to action at the end."""
    return [
        send("/lessons", "Урок 1 из 4"),
        click(label("buttons.next"), "Урок 2 из 4"),
        click(label("buttons.next"), "Урок 3 из 4"),
        click(label("buttons.next"), "Урок 4 из 4"),
        click(label("buttons.finish"), "бесплатная диагностика"),
    ]


async def walk(owner: Person, steps: list[Step], *, timeout: float | None = None) -> None:  # noqa: ASYNC109
    """Take every step, waiting for the bot's next question after each."""
    for number, step in enumerate(steps, 1):
        await step.act(owner)
        try:
            await owner.expect(step.reply, timeout=timeout)
        except AssertionError as error:
            raise AssertionError(f"step {number} ({step.what}): {error}") from None
