"""Testing the inner middlewares that hand handlers a bundle of services by name (`talk`,
`desk`): what one puts in the handler's data, and where the dispatcher registers it."""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject


async def handed_on(middleware: BaseMiddleware, data: dict[str, Any]) -> dict[str, Any]:
    """The data the handler behind `middleware` receives (the middleware returns its result)."""
    seen: dict[str, Any] = {}

    async def handler(event: TelegramObject, given: dict[str, Any]) -> str:
        seen.update(given)
        return "done"

    assert await middleware(handler, TelegramObject(), data) == "done"
    return seen


def registered(dispatcher: Dispatcher, kind: type[BaseMiddleware]) -> list[str]:
    """Where a `kind` middleware is registered, as sorted `router.event` names; one instance
    in all of them (it is registered in one place)."""
    found = [
        (f"{router.name}.{event}", middleware)
        for router in dispatcher.chain_tail
        for event, observer in router.observers.items()
        for middleware in observer.middleware
        if isinstance(middleware, kind)
    ]
    assert len({id(middleware) for _, middleware in found}) <= 1
    return sorted(where for where, _ in found)
