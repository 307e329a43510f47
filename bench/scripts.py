"""What a simulated owner does, step by step, injected straight into the emulator's world.

The benchmark process owns the emulator, so a user action is a synchronous `BotWorld` call
(the same method the control API would run): no HTTP hop, and the action's event carries the
emulator's own timestamp. Only the bot's Bot API traffic goes over HTTP.

Ours: /start → «Начать обучение» → «Далее» × (lessons − 1) → «Завершить обучение»; every
step is ready when the bot's message with the button of the next step (or the final call to
action) has arrived. Labels come from content/ui.toml. Echo: six texts, each ready when
echoed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.callbacks import LessonCb, MenuAction, MenuCb
from bot.content import Content
from bot.emulator.models import StoredMessage
from bot.emulator.world import BotWorld

Ready = Callable[[StoredMessage], bool]


@dataclass(frozen=True, slots=True)
class Step:
    """Send `text`, or press the button labelled `label` (`fallback_data` when the bot has not
    shown it yet, which only happens in the open loop when the bot lags far behind)."""

    text: str | None = None
    label: str | None = None
    fallback_data: str | None = None
    ready: Ready | None = None  # closed loop: the reply that lets the owner go on


@dataclass(frozen=True, slots=True)
class Script:
    name: str
    steps: tuple[Step, ...]

    def step_text(self, owner: int, index: int) -> str:
        text = self.steps[index].text
        assert text is not None
        return text.format(owner=owner, n=index + 1)


@dataclass(frozen=True, slots=True)
class Injection:
    owner: int
    seq: int  # the event seq of the user's action
    ts: float  # the emulator's timestamp of that event
    forged: bool = False  # a click with fallback data (the button was not there yet)


def has_button(label: str) -> Ready:
    return lambda message: find_button(message, label) is not None


def lessons_script(content: Content | None = None) -> Script:
    content = content or Content()
    total = content.lesson_count

    def label(key: str) -> str:
        return content.label(f"buttons.{key}")

    start, nxt, finish = label("start_lessons"), label("next"), label("finish")
    steps = [Step(text="/start", ready=has_button(start))]
    after_first = nxt if total > 1 else finish
    steps.append(Step(label=start, fallback_data=MenuCb(a=MenuAction.lessons).pack(),
                      ready=has_button(after_first)))
    for lesson in range(2, total + 1):
        steps.append(Step(label=nxt, fallback_data=LessonCb(i=lesson).pack(),
                          ready=has_button(nxt if lesson < total else finish)))
    steps.append(Step(label=finish, fallback_data=LessonCb(i=total + 1).pack(),
                      ready=has_button(label("share"))))
    return Script("lessons", tuple(steps))


def echo_script(messages: int = 6) -> Script:
    steps = tuple(Step(text="owner {owner} says hello, message {n}") for _ in range(messages))
    return Script("echo", steps)


def find_button(message: StoredMessage, label: str) -> dict[str, Any] | None:
    markup = message.inline_markup
    if markup is None or message.deleted:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if button.get("text") == label:
                return button
    return None


def newest_with_button(world: BotWorld, chat_id: int, label: str) -> StoredMessage | None:
    for message in reversed(world.bot_messages(chat_id)):
        if find_button(message, label) is not None:
            return message
    return None


def inject(
    world: BotWorld, script: Script, owner: int, index: int, on: StoredMessage | None = None
) -> Injection:
    """Perform step `index` of `script` as `owner` in their private chat (pressing the button
    on `on`, else on the newest bot message that has it)."""
    step = script.steps[index]
    forged = False
    if step.text is not None:
        seq = world.send_text(owner, script.step_text(owner, index)).seq
    else:
        assert step.label is not None
        message = on if on is not None else newest_with_button(world, owner, step.label)
        button = find_button(message, step.label) if message is not None else None
        if button is not None and message is not None:
            message_id, data = message.message_id, button["callback_data"]
        else:
            if step.fallback_data is None:
                raise RuntimeError(f"owner {owner}: no button {step.label!r} to press")
            bot_messages = world.bot_messages(owner)
            message_id = bot_messages[-1].message_id if bot_messages else 1
            data, forged = step.fallback_data, True
        seq = world.click(owner, owner, message_id, data).seq
    event = world.events(seq - 1)[0]
    assert event.seq == seq
    return Injection(owner, seq, event.ts, forged)
