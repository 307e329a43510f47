"""HTTP face of the emulator (aiohttp): the Bot API as Telegram serves it, plus control routes.

Bot API (what bots call; answers and HTTP statuses exactly like api.telegram.org):
    POST|GET /bot{token}/{method}          query string, url-encoded, multipart or JSON body
                                           → {"ok": true, "result": …} or
                                             {"ok": false, "error_code", "description",
                                              "parameters"?} with status == error_code
    GET      /file/bot{token}/{file_path}  bytes of a file (getFile's file_path)

Control API (JSON; bots addressed by bot id, the digits before the token's colon; a bot that
never called the API gets its world on first use; answers are {"ok": true, "result": …} or
{"ok": false, "error": "…"} with a 4xx status). Documented route by route in
`bot.emulator.control_api`:
    GET    /_emu/health
    GET    /_emu/bots                                   POST /_emu/bots {"token", …}
    GET    /_emu/bots/{bot_id}                          POST /_emu/bots/{bot_id}/settings
    POST   /_emu/bots/{bot_id}/reset
    GET    /_emu/bots/{bot_id}/users                    POST /_emu/bots/{bot_id}/users
    POST   /_emu/bots/{bot_id}/users/{user_id}/block
    POST   /_emu/bots/{bot_id}/groups                   GET  /_emu/bots/{bot_id}/chats
    GET    /_emu/bots/{bot_id}/chats/{chat_id}
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/members
    DELETE /_emu/bots/{bot_id}/chats/{chat_id}/members/{user_id}
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/bot
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/migrate
    GET    /_emu/bots/{bot_id}/chats/{chat_id}/messages[/{message_id}]
    POST   /_emu/bots/{bot_id}/messages | edits | clicks | contacts | media | inline_queries
    GET|POST /_emu/bots/{bot_id}/updates
    GET    /_emu/bots/{bot_id}/callback_answers | inline_answers | calls | commands | webhook
    GET    /_emu/bots/{bot_id}/events?after=SEQ&timeout=S[&chat_id=ID]   (long poll)
    GET    /_emu/bots/{bot_id}/files/{file_id}
    GET|POST|DELETE /_emu/bots/{bot_id}/faults

Run standalone: `python -m bot.emulator --port 8081`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from bot.emulator.api import call_method
from bot.emulator.control_api import add_control_routes
from bot.emulator.errors import ApiError, TransportFault, bad_request, not_found
from bot.emulator.params import Upload
from bot.emulator.world import Emulator

log = logging.getLogger(__name__)
EMULATOR_KEY = web.AppKey("emulator", Emulator)
SHUTTING_DOWN_KEY = web.AppKey("shutting_down", asyncio.Event)
MAX_BODY = 60 * 1024 * 1024
DISCONNECT_POLL = 0.05


def create_app(emulator: Emulator) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[_cors])
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", _bot_api)
    app.router.add_get("/file/bot{token}/{file_path:.+}", _file)
    add_control_routes(app, emulator)

    app[SHUTTING_DOWN_KEY] = asyncio.Event()

    async def wake_waiters(app: web.Application) -> None:
        app[SHUTTING_DOWN_KEY].set()
        emulator.interrupt_waiters()

    async def stop_deliveries(_: web.Application) -> None:
        await emulator.aclose()

    app.on_shutdown.append(wake_waiters)
    app.on_cleanup.append(stop_deliveries)
    return app


async def start_server(
    emulator: Emulator, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """Serve `emulator`; port 0 picks a free port. Returns the runner and the base URL."""
    runner = web.AppRunner(create_app(emulator), shutdown_timeout=2.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    real_port = runner.addresses[0][1]
    return runner, f"http://{host}:{real_port}"


@asynccontextmanager
async def serving(emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """`start_server` for the length of a `with` block: yields the base URL, stops on exit."""
    runner, base_url = await start_server(emulator, host, port)
    try:
        yield base_url
    finally:
        await runner.cleanup()


def json_answer(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


async def _bot_api(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    try:
        world = emulator.world(request.match_info["token"])
        params, uploads = await _read_params(request)
        result = await call_method(world, request.match_info["method"], params, uploads)
    except ApiError as error:
        return json_answer(error.to_payload(), error.error_code)
    except TransportFault as fault:
        return await _misbehave(request, fault)
    return json_answer({"ok": True, "result": result})


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return params, uploads
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                upload = Upload(value.filename, value.file.read(), value.content_type)
                uploads[key] = params[key] = upload
            elif isinstance(value, (bytes, bytearray)):  # a non-text part without filename
                params[key] = bytes(value).decode("utf-8", errors="replace")
            else:
                params[key] = value
    return params, uploads


async def _misbehave(request: web.Request, fault: TransportFault) -> web.StreamResponse:
    """Answer nothing: hang until the client gives up (timeout), then drop the connection."""
    transport = request.transport
    if fault.kind == "timeout":
        shutting_down = request.app[SHUTTING_DOWN_KEY]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + fault.hang_seconds
        while (  # noqa: ASYNC110 - aiohttp offers no awaitable for a client disconnect
            transport is not None
            and not transport.is_closing()
            and loop.time() < deadline
            and not shutting_down.is_set()
        ):
            await asyncio.sleep(DISCONNECT_POLL)
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # nothing may be written to the dropped connection


async def _file(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    try:
        world = emulator.world(request.match_info["token"])
    except ApiError as error:
        return json_answer(error.to_payload(), error.error_code)
    stored = world.files_by_path.get(request.match_info["file_path"])
    if stored is None:
        return json_answer(not_found().to_payload(), 404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


@web.middleware
async def _cors(request: web.Request, handler: Any) -> web.StreamResponse:
    """The control API is meant for browser sandboxes on other origins too."""
    if not request.path.startswith("/_emu/"):
        return await handler(request)
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response()
    else:
        response = await handler(request)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response
