"""The sandbox's own HTTP routes, added to the emulator's aiohttp app (one port for all).

    GET  /                  the page (static/index.html)
    GET  /static/…          its CSS and JS
    GET  /api/state         {"bot", "group", "owners", "consultants", "generation", "last_seq",
                             "bot_running", "timezone"}
    POST /api/people        {"role": "owner"|"consultant", "first_name"?} → the new person
    POST /api/reset         fresh sandbox database and world → the new state

The page acts as people through the emulator's control API (`/_emu/…`, same origin) and
follows the world through its events long-poll. POSTs to /api/ must be JSON, so another
web site cannot fire them with a plain form.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

STATIC = Path(__file__).parent / "static"
MAX_NAME = 64
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class Controller(Protocol):
    def state(self) -> dict[str, Any]: ...

    def add_person(self, role: str, first_name: str | None) -> dict[str, Any]: ...

    async def reset(self) -> dict[str, Any]: ...


CONTROLLER_KEY = web.AppKey("sandbox", Controller)


def add_sandbox_routes(app: web.Application, controller: Controller) -> None:
    app[CONTROLLER_KEY] = controller
    app.middlewares.append(_headers)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", _state)
    app.router.add_post("/api/people", _add_person)
    app.router.add_post("/api/reset", _reset)


def _answer(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )


def _error(message: str, status: int = 400) -> web.Response:
    return _answer({"ok": False, "error": message}, status)


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html")


async def _state(request: web.Request) -> web.StreamResponse:
    return _answer({"ok": True, "result": request.app[CONTROLLER_KEY].state()})


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def _add_person(request: web.Request) -> web.StreamResponse:
    body = await _json_body(request)
    if body is None:
        return _error("expected a JSON object")
    role = body.get("role")
    if role not in ("owner", "consultant"):
        return _error('role must be "owner" or "consultant"')
    name = body.get("first_name")
    if name is not None and not isinstance(name, str):
        return _error("first_name must be a string")
    name = (name or "").strip()[:MAX_NAME] or None
    return _answer({"ok": True, "result": request.app[CONTROLLER_KEY].add_person(role, name)})


async def _reset(request: web.Request) -> web.StreamResponse:
    if await _json_body(request) is None:
        return _error("expected a JSON object")
    return _answer({"ok": True, "result": await request.app[CONTROLLER_KEY].reset()})


@web.middleware
async def _headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response = await handler(request)
    if request.path == "/" or request.path.startswith(("/static/", "/api/")):
        response.headers.update(PAGE_HEADERS)
    return response
