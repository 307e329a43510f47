"""Routers of the bot, in the one place that fixes their order."""

from __future__ import annotations

from aiogram import Router

from bot.flows import lessons
from bot.handlers import fallback, start


def build_routers() -> list[Router]:
    """Fresh routers, most specific first; the fallback router is always last."""
    return [
        start.build_router(),
        lessons.build_router(),
        fallback.build_router(),
    ]
