"""Keyboards of the diagnostic, made from the questionnaire's declaration (labels from
content/diagnostic.toml): a question's options, «Пропустить», «Назад», the contact button,
the review's submit and edit buttons; and the few keyboards around the form."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.callbacks import DiagCb, EditCb, MenuAction, MenuCb
from bot.content import Content
from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.form import Form, Kind, Question
from bot.keyboard_cache import built_once

BACK, SKIP, SUBMIT, RETRY, UPDATE = "back", "skip", "submit", "retry", "update"
ENTRY = "entry"  # DiagCb step of buttons that open the form rather than answer a question
BUTTON_TEXT = 25  # longest label made from the owner's words (phones cut longer ones)


def _b(content: Content, label: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=content.label(label), callback_data=DiagCb(s=step, v=value).pack())


def _to_lessons(content: Content) -> InlineKeyboardButton:
    """The button to the lessons, under a message that ends the form."""
    return InlineKeyboardButton(
        text=content.label("diag_buttons.to_lessons"),
        callback_data=MenuCb(a=MenuAction.lessons).pack(),
    )


def short(text: str, limit: int = BUTTON_TEXT) -> str:
    """A button label from the owner's words, cut at a word where possible."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:—-") + "…"


def question_markup(
    content: Content, form: Form, question: Question, draft: Draft
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup:
    if question.kind is Kind.PICK:
        assert question.pick is not None
        return _pick(content, question, question.pick(draft))
    if question.kind is Kind.CONTACT:
        return _contact(content)
    if question.kind is Kind.REVIEW:
        return _review(content, form, tuple(form.edit_groups(draft)))
    return _static(content, form, question.key)


@built_once
def _static(content: Content, form: Form, key: str) -> InlineKeyboardMarkup:
    """Options (if any), «Пропустить», «Назад»: the same for every owner."""
    question = form.questions[key]
    if question.labels:
        buttons = [_b(content, f"{question.labels}.{code}", key, code) for code in question.codes]
    else:  # codes that read as they are (1 … 5)
        buttons = [
            InlineKeyboardButton(text=code, callback_data=DiagCb(s=key, v=code).pack())
            for code in question.codes
        ]
    width = question.columns
    rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    if question.skip:
        rows.append([_b(content, "diag_buttons.skip", key, SKIP)])
    if question.back:
        rows.append([_b(content, "diag_buttons.back", key, BACK)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _pick(content: Content, question: Question, options: Iterable[str]) -> InlineKeyboardMarkup:
    # Labels are the owner's own words (plain text in buttons, nothing to escape);
    # callback data carries only the index.
    rows = [
        [
            InlineKeyboardButton(
                text=content.label("diag_buttons.pick", option=short(option)),
                callback_data=DiagCb(s=question.key, v=str(index)).pack(),
            )
        ]
        for index, option in enumerate(options)
    ]
    if question.back:
        rows.append([_b(content, "diag_buttons.back", question.key, BACK)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def _contact(content: Content) -> ReplyKeyboardMarkup:
    """The contact button and «Назад» under the input field (a reply keyboard)."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=content.label("diag_buttons.share_phone"), request_contact=True)],
            [KeyboardButton(text=content.label("diag_buttons.back"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


@built_once
def _review(content: Content, form: Form, groups: tuple[str, ...]) -> InlineKeyboardMarkup:
    edits = [
        InlineKeyboardButton(text=content.label(f"edit.{group}"), callback_data=EditCb(f=group).pack())
        for group in groups
    ]
    rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.insert(0, [_b(content, "diag_buttons.submit", form.review_key, SUBMIT)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def declined(content: Content, consent_key: str) -> InlineKeyboardMarkup:
    """After consent was declined: change one's mind (that question again), or the lessons."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_b(content, "diag_buttons.retry_consent", consent_key, RETRY)],
            [_to_lessons(content)],
        ]
    )


def corrections(content: Content, keys: Iterable[str]) -> InlineKeyboardMarkup:
    """Below the verdict: correct a mistaken answer (the first that did not pass, asked
    again; the form goes on from there), or the lessons."""
    rows = [[_b(content, "diag_buttons.correct_answer", key, RETRY)] for key in list(keys)[:1]]
    rows.append([_to_lessons(content)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@built_once
def existing_lead(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_b(content, "diag_buttons.update_request", ENTRY, UPDATE)],
            [_to_lessons(content)],
        ]
    )


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    """Every keyboard of the form with extreme values (for the content check)."""
    from bot.flows.diagnostic.questionnaire import CONSENT, QUESTIONNAIRE, TURNOVER, YEARS

    form = QUESTIONNAIRE
    draft = Draft(seg_count=5)
    draft.set_segment_count(5)
    for segment in draft.segments:
        segment.name = "я" * 40
    for key, question in form.questions.items():
        markup = question_markup(content, form, question, draft)
        if isinstance(markup, InlineKeyboardMarkup):
            yield f"diag.{key}", markup
    yield "diag.declined", declined(content, CONSENT.key)
    yield "diag.corrections", corrections(content, [TURNOVER.key, YEARS.key])
    yield "diag.existing_lead", existing_lead(content)
