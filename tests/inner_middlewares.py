"""Testing the inner middlewares that hand handlers a bundle of services by name (`talk`,
`desk`): what one puts in the handler's data, and where the dispatcher registers it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from aiogram import BaseMiddleware, Dispatcher, Router
from aiogram.dispatcher.event.telegram import TelegramEventObserver
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


def observers(router: Router) -> Iterator[tuple[Router, str, TelegramEventObserver]]:
    """Every (router, event, observer) of a router tree, each router before its children."""
    for event, observer in router.observers.items():
        yield router, event, observer
    for sub in router.sub_routers:
        yield from observers(sub)


def unwrapped(router: Router, parameter: str, kind: type[BaseMiddleware]) -> list[str]:
    """The handlers that name `parameter` but no `kind` middleware wraps (aiogram wraps a
    handler in the inner middlewares of its observer and of its routers' parents); asserts
    the walk found some."""
    found = {
        f"{owner.name}.{event} {handler.callback.__name__}": any(
            isinstance(middleware, kind) for middleware in observer._resolve_middlewares()
        )
        for owner, event, observer in observers(router)
        for handler in observer.handlers
        if parameter in inspect.signature(handler.callback).parameters
    }
    assert len(found) > 10, found  # the walk reached the handlers that take it
    return [where for where, wrapped in found.items() if not wrapped]
