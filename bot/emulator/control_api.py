"""The emulator's control API over HTTP: set up the world, act as users, read what happened.

All routes are JSON under /_emu/. Answers are {"ok": true, "result": …}, or
{"ok": false, "error": "…"} with status 400 (bad input), 404 (unknown user/chat/message)
or 409 (already exists). Bodies of POST routes are the keyword arguments of the `BotWorld`
method named in brackets; unknown keys are rejected.

    GET    /_emu/health                         → {"status": "ok"}
    GET    /_emu/bots                           → [bot info]
    POST   /_emu/bots                           {"token", "username"?, "first_name"?} → bot info
    GET    /_emu/bots/{bot_id}                  → bot info (username, last_seq, webhook, …)
    POST   /_emu/bots/{bot_id}/settings         {"username"?, "first_name"?, "privacy_mode"?,
                                                 "rate_limits"?: bool | {RateLimits fields},
                                                 "response_enrichment"?: bool | {"seed", …}}
    POST   /_emu/bots/{bot_id}/reset            forget all state (seq and update ids go on)
    GET    /_emu/bots/{bot_id}/users            → [user]
    POST   /_emu/bots/{bot_id}/users            [add_user] {"user_id"?, "first_name", …} → user
    POST   /_emu/bots/{bot_id}/users/{user_id}/block      {"blocked": true|false}
    POST   /_emu/bots/{bot_id}/groups           [add_group] {"title", "type", "members", …}
    GET    /_emu/bots/{bot_id}/chats            → [chat]
    GET    /_emu/bots/{bot_id}/chats/{chat_id}  → chat (members, admins, reply_keyboard, …)
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/members    {"user_id", "admin"?}
    DELETE /_emu/bots/{bot_id}/chats/{chat_id}/members/{user_id}[?banned=1]
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/bot        {"present", "not_found"?, "admin"?, "by"?}
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/migrate    → {"new_chat_id"}
    GET    /_emu/bots/{bot_id}/chats/{chat_id}/topics     → [forum topic], deleted ones too
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/topics     [create_topic] {"name", "by"?,
                                                 "icon_color"?, "icon_custom_emoji_id"?,
                                                 "thread_id"?} → topic + "seq"
    POST   /_emu/bots/{bot_id}/chats/{chat_id}/topics/{thread_id}/edit|close|reopen
                                                [edit_topic|close_topic|reopen_topic]
                                                {"by"?, "name"?, "icon_custom_emoji_id"?}
    DELETE /_emu/bots/{bot_id}/chats/{chat_id}/topics/{thread_id}   [delete_topic]
    GET    /_emu/bots/{bot_id}/chats/{chat_id}/messages[?include_deleted=1&from_bot=1]
    GET    /_emu/bots/{bot_id}/chats/{chat_id}/messages/{message_id}
    POST   /_emu/bots/{bot_id}/messages         [send_text] {"user_id", "text", "chat_id"?,
                                                 "reply_to_message_id"?, "thread_id"?}
    POST   /_emu/bots/{bot_id}/edits            [edit_user_message] {"user_id", "chat_id",
                                                 "message_id", "text"}
    POST   /_emu/bots/{bot_id}/clicks           [click] {"user_id", "chat_id", "message_id",
                                                 "callback_data"} → receipt with query_id
    POST   /_emu/bots/{bot_id}/contacts         [share_contact] {"user_id", "phone_number", …}
    POST   /_emu/bots/{bot_id}/media            [send_media] {"user_id", "kind", "chat_id"?}
    POST   /_emu/bots/{bot_id}/inline_queries   [inline_query] {"user_id", "query"}
    POST   /_emu/bots/{bot_id}/updates          [inject_update] raw Update JSON
    GET    /_emu/bots/{bot_id}/updates          → updates queued and not yet confirmed
    GET    /_emu/bots/{bot_id}/callback_answers[?query_id=]   → [callback query + answer]
    GET    /_emu/bots/{bot_id}/inline_answers[?query_id=]     → [inline query + results]
    GET    /_emu/bots/{bot_id}/calls[?method=]  → [{"method", "params", "ts", "ok", "error",
                                                  "result"}]
    GET    /_emu/bots/{bot_id}/commands[?scope=JSON&language_code=]  → [BotCommand]
    GET    /_emu/bots/{bot_id}/webhook          → WebhookInfo
    GET    /_emu/bots/{bot_id}/events?after=SEQ&timeout=S[&chat_id=]
                                                → {"events": [...], "last_seq"}; long-polls up
                                                  to S seconds (max 60) for the first event
    GET    /_emu/bots/{bot_id}/files/{file_id}  → raw bytes
    POST   /_emu/bots/{bot_id}/faults           [inject_fault] {"method", "kind", "count"?,
                                                 "retry_after"?, "chat_id"?, "applied"?}
    GET    /_emu/bots/{bot_id}/faults           → planned faults
    DELETE /_emu/bots/{bot_id}/faults           drop all planned faults

Receipts of user actions: {"update", "update_id", "seq", "message_id", "chat_id", "message",
"query_id"}; "update" is null when Telegram would not deliver the action to the bot.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.emulator.enrichment import ResponseEnrichment
from bot.emulator.errors import ApiError, ControlError
from bot.emulator.limits import RateLimiter, RateLimits
from bot.emulator.world import BotWorld, Emulator

Handler = Callable[[web.Request, BotWorld], Awaitable[Any]]
MAX_EVENTS_TIMEOUT = 60.0


def add_control_routes(app: web.Application, emulator: Emulator) -> None:
    def world_route(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def route(request: web.Request) -> web.StreamResponse:
            async def run() -> Any:
                bot_id = _int(request.match_info["bot_id"], "bot_id")
                return await handler(request, emulator.world_by_id(bot_id))

            return await _answer(run)

        return route

    async def list_bots(request: web.Request) -> web.StreamResponse:
        async def run() -> Any:
            return [world.info() for world in emulator.worlds]

        return await _answer(run)

    async def register_bot(request: web.Request) -> web.StreamResponse:
        async def run() -> Any:
            body = await _body(request)
            token = body.get("token")
            if not isinstance(token, str):
                raise ControlError("token is required")
            world = emulator.register(
                token, username=body.get("username"), first_name=body.get("first_name")
            )
            return world.info()

        return await _answer(run)

    async def health(request: web.Request) -> web.StreamResponse:
        return _json({"ok": True, "result": {"status": "ok"}})

    base = "/_emu/bots/{bot_id}"
    chat = base + "/chats/{chat_id}"
    routes = [
        ("GET", "/_emu/health", health),
        ("GET", "/_emu/bots", list_bots),
        ("POST", "/_emu/bots", register_bot),
        ("GET", base, world_route(_bot_info)),
        ("POST", base + "/settings", world_route(_bot_settings)),
        ("POST", base + "/reset", world_route(_reset)),
        ("GET", base + "/users", world_route(_users)),
        ("POST", base + "/users", world_route(_add_user)),
        ("POST", base + "/users/{user_id}/block", world_route(_block)),
        ("POST", base + "/groups", world_route(_add_group)),
        ("GET", base + "/chats", world_route(_chats)),
        ("GET", chat, world_route(_chat)),
        ("POST", chat + "/members", world_route(_add_member)),
        ("DELETE", chat + "/members/{user_id}", world_route(_remove_member)),
        ("POST", chat + "/bot", world_route(_bot_presence)),
        ("POST", chat + "/migrate", world_route(_migrate)),
        ("GET", chat + "/topics", world_route(_topics)),
        ("POST", chat + "/topics", world_route(_create_topic)),
        ("POST", chat + "/topics/{thread_id}/{action}", world_route(_change_topic)),
        ("DELETE", chat + "/topics/{thread_id}", world_route(_delete_topic)),
        ("GET", chat + "/messages", world_route(_messages)),
        ("GET", chat + "/messages/{message_id}", world_route(_message)),
        ("POST", base + "/messages", world_route(_action("send_text"))),
        ("POST", base + "/edits", world_route(_action("edit_user_message"))),
        ("POST", base + "/clicks", world_route(_action("click"))),
        ("POST", base + "/contacts", world_route(_action("share_contact"))),
        ("POST", base + "/media", world_route(_action("send_media"))),
        ("POST", base + "/inline_queries", world_route(_action("inline_query"))),
        ("POST", base + "/updates", world_route(_inject_update)),
        ("GET", base + "/updates", world_route(_pending_updates)),
        ("GET", base + "/callback_answers", world_route(_callback_answers)),
        ("GET", base + "/inline_answers", world_route(_inline_answers)),
        ("GET", base + "/calls", world_route(_calls)),
        ("GET", base + "/commands", world_route(_commands)),
        ("GET", base + "/webhook", world_route(_webhook)),
        ("GET", base + "/events", world_route(_events)),
        ("GET", base + "/files/{file_id}", world_route(_file)),
        ("POST", base + "/faults", world_route(_add_fault)),
        ("GET", base + "/faults", world_route(_faults)),
        ("DELETE", base + "/faults", world_route(_clear_faults)),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)


# -- plumbing -------------------------------------------------------------------------------


async def _answer(run: Callable[[], Awaitable[Any]]) -> web.StreamResponse:
    try:
        result = await run()
    except ControlError as error:
        return _json({"ok": False, "error": str(error)}, error.status)
    except ApiError as error:
        return _json({"ok": False, "error": error.description}, error.error_code)
    if isinstance(result, web.StreamResponse):
        return result
    return _json({"ok": True, "result": result})


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json"
    )


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise ControlError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _invoke(function: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """Call a world method with JSON keyword arguments, rejecting unknown/missing ones."""
    try:
        inspect.signature(function).bind(**kwargs)
    except TypeError as error:
        raise ControlError(f"{function.__name__}: {error}") from None
    return function(**kwargs)


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("1", "true", "yes")


def _chat_id(request: web.Request) -> int:
    return _int(request.match_info["chat_id"], "chat_id")


# -- handlers -------------------------------------------------------------------------------


async def _bot_info(request: web.Request, world: BotWorld) -> Any:
    return world.info()


async def _bot_settings(request: web.Request, world: BotWorld) -> Any:
    body = await _body(request)
    unknown = set(body) - {
        "username", "first_name", "privacy_mode", "rate_limits", "response_enrichment"
    }
    if unknown:
        raise ControlError(f"unknown settings: {sorted(unknown)}")
    if "rate_limits" in body:
        limits = _options(RateLimits, body["rate_limits"])
        world.rate_limiter = RateLimiter(limits, world.clock) if limits is not None else None
    if "response_enrichment" in body:
        world.response_enrichment = _options(ResponseEnrichment, body["response_enrichment"])
    if body.get("username"):
        world.username = str(body["username"])
    if body.get("first_name"):
        world.first_name = str(body["first_name"])
    if "privacy_mode" in body:
        world.privacy_mode = bool(body["privacy_mode"])
    return world.info()


def _options(kind: type[Any], value: Any) -> Any:
    """true → the defaults, false/null → off, an object → those fields."""
    if value is None or value is False:
        return None
    if value is True:
        return kind()
    if not isinstance(value, dict):
        raise ControlError(f"{kind.__name__}: true, false or an object of its fields")
    return _invoke(kind, value)


async def _reset(request: web.Request, world: BotWorld) -> Any:
    world.reset()
    return world.info()


async def _users(request: web.Request, world: BotWorld) -> Any:
    return [user.to_dict() for user in world.users.values()]


async def _add_user(request: web.Request, world: BotWorld) -> Any:
    return _invoke(world.add_user, await _body(request)).to_dict()


async def _block(request: web.Request, world: BotWorld) -> Any:
    body = await _body(request)
    user_id = _int(request.match_info["user_id"], "user_id")
    world.block_bot(user_id, bool(body.get("blocked", True)))
    return world.user(user_id).to_dict()


async def _add_group(request: web.Request, world: BotWorld) -> Any:
    return _invoke(world.add_group, await _body(request)).to_dict()


async def _chats(request: web.Request, world: BotWorld) -> Any:
    return [chat.to_dict() for chat in world.chats.values()]


async def _chat(request: web.Request, world: BotWorld) -> Any:
    chat = world.chats.get(_chat_id(request))
    if chat is None:
        raise ControlError("unknown chat", status=404)
    return chat.to_dict()


async def _add_member(request: web.Request, world: BotWorld) -> Any:
    body = await _body(request)
    _invoke(world.add_member, {**body, "chat_id": _chat_id(request)})
    return world.group(_chat_id(request)).to_dict()


async def _remove_member(request: web.Request, world: BotWorld) -> Any:
    user_id = _int(request.match_info["user_id"], "user_id")
    world.remove_member(_chat_id(request), user_id, banned=_flag(request, "banned"))
    return world.group(_chat_id(request)).to_dict()


async def _bot_presence(request: web.Request, world: BotWorld) -> Any:
    body = await _body(request)
    _invoke(world.set_bot_in_chat, {**body, "chat_id": _chat_id(request)})
    return world.group(_chat_id(request)).to_dict()


async def _migrate(request: web.Request, world: BotWorld) -> Any:
    return {"new_chat_id": world.migrate_group(_chat_id(request))}


async def _topics(request: web.Request, world: BotWorld) -> Any:
    return [topic.to_dict() for topic in world.topics(_chat_id(request))]


async def _create_topic(request: web.Request, world: BotWorld) -> Any:
    body = await _body(request)
    topic = _invoke(world.create_topic, {**body, "chat_id": _chat_id(request)})
    return {**topic.to_dict(), "seq": world.last_seq}


async def _change_topic(request: web.Request, world: BotWorld) -> Any:
    action = request.match_info["action"]
    if action not in ("edit", "close", "reopen"):
        raise ControlError(f"unknown topic action {action!r}", status=404)
    body = await _body(request)
    fields = {
        **body,
        "chat_id": _chat_id(request),
        "thread_id": _int(request.match_info["thread_id"], "thread_id"),
    }
    topic = _invoke(getattr(world, f"{action}_topic"), fields)
    return {**topic.to_dict(), "seq": world.last_seq}


async def _delete_topic(request: web.Request, world: BotWorld) -> Any:
    thread_id = _int(request.match_info["thread_id"], "thread_id")
    topic = world.delete_topic(_chat_id(request), thread_id)
    return {**topic.to_dict(), "seq": world.last_seq}


async def _messages(request: web.Request, world: BotWorld) -> Any:
    found = world.messages(_chat_id(request), include_deleted=_flag(request, "include_deleted"))
    if _flag(request, "from_bot"):
        found = [message for message in found if message.from_bot]
    return [message.to_dict() for message in found]


async def _message(request: web.Request, world: BotWorld) -> Any:
    message = world.message(_chat_id(request), _int(request.match_info["message_id"], "id"))
    if message is None:
        raise ControlError("unknown message", status=404)
    return message.to_dict()


def _action(name: str) -> Handler:
    async def handler(request: web.Request, world: BotWorld) -> Any:
        return _invoke(getattr(world, name), await _body(request)).to_dict()

    return handler


async def _inject_update(request: web.Request, world: BotWorld) -> Any:
    return world.inject_update(await _body(request)).to_dict()


async def _pending_updates(request: web.Request, world: BotWorld) -> Any:
    return world.pending_updates()


async def _callback_answers(request: web.Request, world: BotWorld) -> Any:
    return [record.to_dict() for record in world.callback_answers(request.query.get("query_id"))]


async def _inline_answers(request: web.Request, world: BotWorld) -> Any:
    return [record.to_dict() for record in world.inline_answers(request.query.get("query_id"))]


async def _calls(request: web.Request, world: BotWorld) -> Any:
    return [call.to_dict() for call in world.calls(request.query.get("method"))]


async def _commands(request: web.Request, world: BotWorld) -> Any:
    scope = None
    if request.query.get("scope"):
        try:
            scope = json.loads(request.query["scope"])
        except ValueError:
            raise ControlError("scope must be JSON") from None
    return world.commands(scope, request.query.get("language_code", ""))


async def _webhook(request: web.Request, world: BotWorld) -> Any:
    return {**world.webhook_info(), "delivered": world.webhook.delivered}


async def _events(request: web.Request, world: BotWorld) -> Any:
    after = _int(request.query.get("after", "0"), "after")
    try:
        timeout = float(request.query.get("timeout") or 0)
    except ValueError:
        raise ControlError("timeout must be a number of seconds") from None
    timeout = min(max(timeout, 0.0), MAX_EVENTS_TIMEOUT)
    chat_id = request.query.get("chat_id")
    found = await world.wait_events(after, timeout, _int(chat_id, "chat_id") if chat_id else None)
    return {"events": [event.to_dict() for event in found], "last_seq": world.last_seq}


async def _file(request: web.Request, world: BotWorld) -> Any:
    stored = world.files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError("unknown file", status=404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def _add_fault(request: web.Request, world: BotWorld) -> Any:
    return _invoke(world.inject_fault, await _body(request)).to_dict()


async def _faults(request: web.Request, world: BotWorld) -> Any:
    return [fault.to_dict() for fault in world.faults.list()]


async def _clear_faults(request: web.Request, world: BotWorld) -> Any:
    world.faults.clear()
    return []
