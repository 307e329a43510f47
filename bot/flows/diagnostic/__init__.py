"""The diagnostic request: a declared questionnaire (questionnaire.py) run by one engine.

`build_router(form)` and `build_fallback_router(form)` register its handlers; `open_request`
is the entry other flows use (the menu, lesson CTAs, the `diag` deep link).
"""

from __future__ import annotations

from aiogram import Router

from bot.flows.conversation import Conversation
from bot.flows.diagnostic.engine import FormHandlers, Step, start
from bot.flows.diagnostic.form import Form
from bot.flows.diagnostic.questionnaire import QUESTIONNAIRE

__all__ = ["QUESTIONNAIRE", "build_fallback_router", "build_router", "open_request"]


def build_router(form: Form = QUESTIONNAIRE) -> Router:
    return FormHandlers(form).router()


def build_fallback_router(form: Form = QUESTIONNAIRE) -> Router:
    return FormHandlers(form).fallback()


async def open_request(talk: Conversation, form: Form = QUESTIONNAIRE) -> None:
    """Resume the request in progress, show the one already sent, or begin."""
    await start(Step.of(talk, form))
