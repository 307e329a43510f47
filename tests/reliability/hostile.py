"""A corpus of hostile inputs: what people (and a broken or malicious client) can send.

Each entry is an `Input` with a name (for failure messages) and a kind:

* "text" — typed by a person (markup injection, zero-width and right-to-left characters,
  4096+ characters, only emoji, NUL and control characters, SQL-ish strings, commands with
  junk arguments, /start with malformed payloads);
* "media" — a sticker, photo, … (every kind the emulator knows, with and without hostile
  captions) and contacts;
* "click" — a button press with forged, stale, oversized or unknown callback data;
* "raw" — a whole update as Telegram could deliver it (unknown update types, optional fields
  missing, oversized values, strange but well-formed shapes), built for a given person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.payloads import MEDIA_KINDS

BOT_USERNAME = "sales_funnel_test_bot"
Builder = Callable[[dict[str, Any], int], dict[str, Any]]


@dataclass(frozen=True)
class Input:
    name: str
    kind: str  # "text", "media", "click", "raw"
    text: str | None = None  # text, or the media caption
    media: str | None = None  # a MEDIA_KINDS name, "contact" or "contact_other"
    data: str | None = None  # callback data
    raw: Builder | None = field(default=None, compare=False)
    expect: str | None = None  # "reply": the bot writes back; "answer": it answers the press

    @property
    def expects(self) -> str | None:
        if self.kind in ("text", "media"):
            return "reply"
        if self.kind == "click":
            return "answer"
        return self.expect


def _texts() -> list[tuple[str, str]]:
    html = [
        ("bold tag", "<b>жирный</b>"),
        ("script tag", "<script>alert(1)</script>"),
        ("closing tag only", "</b></i></a>"),
        ("unclosed tag", "<i>наклон"),
        ("javascript link", "<a href='javascript:alert(1)'>ссылка</a>"),
        ("entity soup", "&lt;&gt;&amp;&quot;&#0;&#x0;&nbsp;&"),
        ("tg spoiler", "<tg-spoiler>секрет</tg-spoiler>"),
        ("pre code", "<pre><code class='language-python'>print(1)</code></pre>"),
        ("bare ampersand and lt", "A & B < C > D"),
        ("nested garbage", "<b><i><u><s></b></i>"),
        ("attribute injection", '<img src=x onerror="alert(1)">'),
        ("jinja braces", "{{ 7*7 }} {% for x in y %}{{ x }}{% endfor %}"),
        ("python format", "{0} {name} %s %d %(x)s"),
    ]
    markdown = [
        ("markdown bold", "*жирный* **двойной**"),
        ("markdown italic", "_наклон_ __подчёркнутый__"),
        ("markdown code", "`код` ```\nблок\n```"),
        ("markdown link", "[нажми](https://evil.example/phish)"),
        ("markdown spoiler", "||спойлер|| ~зачёркнутый~"),
        ("markdown escapes", r"\*\_\`\[\]\(\)\~\>\#\+\-\=\|\{\}\.\!"),
        ("markdown heading and quote", "# Заголовок\n> цитата\n- пункт"),
    ]
    unicode_ = [
        ("zero-width space", "\u200b"),
        ("zero-width joiners", "\u200b\u200c\u200d\u2060"),
        ("zero-width inside word", "ро\u200bма\u200cшка"),
        ("right-to-left override", "\u202eакшамоР ООО"),
        ("bidi isolates", "\u2066ООО\u2069 \u2067Ромашка\u2069"),
        ("byte order mark", "\ufeffАнна"),
        ("combining marks", "А\u0301\u0301\u0301\u0301\u0301нна"),
        ("zalgo", "Z\u0336\u0311\u0300A\u0337\u0315L\u0335\u0358G\u0334O\u0336"),
        ("arabic letter mark", "\u061cشركة"),
        ("mixed scripts", "Аnnа (латиница и кириллица)"),
        ("surrogate-heavy", "𝔄𝔫𝔫𝔞 𝕮𝖔"),
        ("fullwidth", "ＡＮＮＡ"),
        ("non-breaking spaces only", "\u00a0\u00a0\u202f"),
        ("line and paragraph separators", "a\u2028b\u2029c"),
    ]
    long_ = [
        ("4096 latin", "x" * 4096),
        ("4097 cyrillic", "я" * 4097),
        ("4096 utf-16 units of emoji", "😀" * 2048),
        ("10000 chars", "Длинный текст " * 715),
        ("one very long word", "а" * 5000),
        ("many lines", "\n".join(["строка"] * 1000)),
        ("41 chars", "я" * 41),
        ("101 chars", "б" * 101),
    ]
    emoji = [
        ("one emoji", "😀"),
        ("skin tones", "👍🏻👍🏿"),
        ("flag", "🇷🇺"),
        ("family zwj", "👨\u200d👩\u200d👧\u200d👦"),
        ("emoji and spaces", " 🔥  🔥 "),
        ("keycap", "1️⃣2️⃣3️⃣"),
        ("emoji only long", "🎉" * 300),
    ]
    control = [
        ("nul byte", "\x00"),
        ("nul inside", "Ан\x00на"),
        ("many nuls", "\x00" * 64),
        ("ansi escape", "\x1b[31mкрасный\x1b[0m"),
        ("bell and backspace", "\x07\x08\x08\x08"),
        ("tabs and returns", "\t\r\n\t\r\n"),
        ("only spaces", "     "),
        ("only newlines", "\n\n\n"),
        ("delete char", "\x7f\x7f"),
        ("lone surrogate escape", "\\ud800"),
    ]
    sql = [
        ("drop table", "'; DROP TABLE leads; --"),
        ("or 1=1", "1' OR '1'='1"),
        ("bobby tables", "Robert'); DROP TABLE users;--"),
        ("union select", "0 UNION SELECT token FROM kv --"),
        ("like wildcards", "%_%_%"),
        ("backslashes", "\\\\\\'"),
        ("null word", "NULL"),
        ("json-ish", '{"status": "done", "id": 1}'),
        ("comment sequence", "/* */ -- #"),
        ("pragma", "PRAGMA writable_schema=1;"),
    ]
    commands = [
        ("start with spaces", "/start    "),
        ("start payload too long", "/start " + "a" * 65),
        ("start payload path", "/start ../../etc/passwd"),
        ("start payload nul", "/start diag\x00"),
        ("start payload html", "/start <b>diag</b>"),
        ("start payload emoji", "/start 😀"),
        ("start empty ref", "/start ref_"),
        ("start ref injection", "/start ref_<script>"),
        ("start unknown ref", "/start ref_ZZZZZZZZ"),
        ("start link prefix only", "/start lnk_"),
        ("start link unknown", "/start lnk_999999999999"),
        ("start two payloads", "/start diag ref_abc"),
        ("start payload base64ish", "/start ZGlhZw=="),
        ("start payload minus", "/start -1"),
        ("start payload huge number", "/start 99999999999999999999999"),
        ("start to another bot", "/start@other_bot"),
        ("start to this bot with payload", f"/start@{BOT_USERNAME} diag"),
        ("start uppercase", "/START"),
        ("lessons with junk", "/lessons 999 -1 abc"),
        ("diagnostic with junk", "/diagnostic now please"),
        ("help with junk", "/help <b>me</b>"),
        ("cancel with junk", "/cancel all the things"),
        ("privacy with junk", "/privacy ' OR 1=1"),
        ("delete_me with junk", "/delete_me please now"),
        ("share with junk", "/share %s%s%s"),
        ("unknown command", "/unknown_command"),
        ("slash only", "/"),
        ("double slash", "//start"),
        ("slash space", "/ start"),
        ("consultants' leads", "/leads all"),
        ("consultants' lead bad id", "/lead abc"),
        ("consultants' lead huge id", "/lead 99999999999999999999999999"),
        ("consultants' export junk", "/export yesterday-ish"),
        ("consultants' stats junk", "/stats ∞"),
        ("bind in private", "/bind"),
        ("command 64 chars", "/" + "a" * 64),
        ("command then html", "/help<b>x</b>"),
    ]
    other = [
        ("number zero", "0"),
        ("negative", "-1"),
        ("percent over", "150%"),
        ("huge number", "9" * 40),
        ("float share", "33.3"),
        ("fake phone", "+7 000 000-00-00"),
        ("phone with letters", "8-800-ДЕНЬГИ"),
        ("mention", "@someone @other_bot"),
        ("url", "https://t.me/+AbCdEf"),
        ("back label typed", "◀️ Назад"),
        ("button label typed", "Даю согласие"),
        ("submit label typed", "✅ Отправить"),
    ]
    return [*html, *markdown, *unicode_, *long_, *emoji, *control, *sql, *commands, *other]


def _clicks() -> list[tuple[str, str]]:
    return [
        ("stale turnover answer", "dg:turnover:3_10"),
        ("unknown turnover code", "dg:turnover:gt1000"),
        ("years on another step", "dg:years:gt10"),
        ("submit anywhere", "dg:review:submit"),
        ("back anywhere", "dg:consent:back"),
        ("unknown step", "dg:evil:1"),
        ("empty step and value", "dg::"),
        ("prefix only", "dg"),
        ("too many parts", "dg:a:b:c:d"),
        ("strategic out of range", "dg:strategic:99"),
        ("strategic negative", "dg:strategic:-1"),
        ("segments count zero", "dg:segments_count:0"),
        ("segments count six", "dg:segments_count:6"),
        ("entry update", "dg:entry:update"),
        ("consent retry", "dg:consent:retry"),
        ("edit unknown field", "de:password"),
        ("edit name anywhere", "de:name"),
        ("lesson zero", "ls:0"),
        ("lesson negative", "ls:-1"),
        ("lesson past the end", "ls:6"),
        ("lesson huge", "ls:99999999999999999999999"),
        ("lesson not a number", "ls:abc"),
        ("menu unknown action", "m:z"),
        ("menu empty", "m:"),
        ("privacy keep", "pv:0"),
        ("privacy junk", "pv:maybe"),
        ("group card in private", "gc:1:c"),
        ("group pager in private", "gp:open:0"),
        ("unknown prefix", "zz:1"),
        ("empty data", ""),
        ("one space", " "),
        ("64 bytes", "x" * 64),
        ("64 bytes cyrillic", "я" * 32),
        ("emoji data", "🔥:🔥"),
        ("html data", "<b>dg</b>"),
        ("nul in data", "dg:\x00:\x00"),
    ]


def _raw_builders() -> list[tuple[str, str | None, Builder]]:
    """Raw updates for a person (`user` as Telegram shows it) in their private chat."""

    def chat(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    def message(user: dict[str, Any], mid: int, **fields: Any) -> dict[str, Any]:
        return {"message_id": mid, "from": user, "chat": chat(user), "date": 1_700_000_000,
                **fields}

    return [
        ("unknown update type", None, lambda u, m: {"brand_new_update": {"id": 1, "from": u}}),
        ("two unknown update types", None, lambda u, m: {"x_update": {}, "y_update": [1, 2]}),
        ("update id only", None, lambda u, m: {}),
        ("edited message", None, lambda u, m: {"edited_message": message(
            u, m, text="исправлено", edit_date=1_700_000_100)}),
        ("channel post", None, lambda u, m: {"channel_post": {
            "message_id": m, "date": 0, "chat": {"id": -1001, "type": "channel", "title": "K"},
            "text": "/start diag"}}),
        ("message reaction", None, lambda u, m: {"message_reaction": {
            "chat": chat(u), "message_id": m, "date": 0, "user": u,
            "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]}}),
        ("poll answer", None, lambda u, m: {"poll_answer": {
            "poll_id": "1", "user": u, "option_ids": [0], "option_persistent_ids": ["0"]}}),
        ("inline query", None, lambda u, m: {"inline_query": {
            "id": f"iq{m}", "from": u, "query": "<b>x</b>' OR 1=1", "offset": ""}}),
        ("chosen inline result", None, lambda u, m: {"chosen_inline_result": {
            "result_id": "1", "from": u, "query": "x"}}),
        ("pre-checkout query", None, lambda u, m: {"pre_checkout_query": {
            "id": f"pc{m}", "from": u, "currency": "RUB", "total_amount": 1,
            "invoice_payload": "x"}}),
        ("chat join request", None, lambda u, m: {"chat_join_request": {
            "chat": {"id": -1002, "type": "supergroup", "title": "G"}, "from": u,
            "user_chat_id": u["id"], "date": 0}}),
        ("bot blocked by the person", None, lambda u, m: {"my_chat_member": {
            "chat": chat(u), "from": u, "date": 0,
            "old_chat_member": {"status": "member", "user": {
                "id": 1, "is_bot": True, "first_name": "B"}},
            "new_chat_member": {"status": "kicked", "until_date": 0, "user": {
                "id": 1, "is_bot": True, "first_name": "B"}}}}),
        ("callback without message", "answer", lambda u, m: {"callback_query": {
            "id": f"cq{m}", "from": u, "chat_instance": "1", "data": "dg:review:submit",
            "inline_message_id": "AAAA"}}),
        ("callback without data", "answer", lambda u, m: {"callback_query": {
            "id": f"cq{m}", "from": u, "chat_instance": "1",
            "message": message(u, 1, text="x"), "game_short_name": "game"}}),
        ("callback with 65-byte data", "answer", lambda u, m: {"callback_query": {
            "id": f"cq{m}", "from": u, "chat_instance": "1",
            "message": message(u, 1, text="x"), "data": "d" * 65}}),
        ("callback with 10 KB data", "answer", lambda u, m: {"callback_query": {
            "id": f"cq{m}", "from": u, "chat_instance": "1",
            "message": message(u, 1, text="x"), "data": "dg:turnover:" + "9" * 10_000}}),
        ("callback on an inaccessible message", "answer", lambda u, m: {"callback_query": {
            "id": f"cq{m}", "from": u, "chat_instance": "1",
            "message": {"chat": chat(u), "message_id": 1, "date": 0}, "data": "ls:2"}}),
        ("text with bogus entities", "reply", lambda u, m: {"message": message(
            u, m, text="hi", entities=[{"type": "bold", "offset": 5, "length": 1000},
                                       {"type": "bot_command", "offset": 0, "length": 50}])}),
        ("text of 100 000 chars", "reply", lambda u, m: {"message": message(u, m, text="я" * 100_000)}),
        ("message with no content", "reply", lambda u, m: {"message": message(u, m)}),
        ("forwarded from a channel", "reply", lambda u, m: {"message": message(
            u, m, text="/start diag", forward_origin={
                "type": "channel", "date": 0, "message_id": 1,
                "chat": {"id": -1001, "type": "channel", "title": "K"}})}),
        ("reply to a message that never was", "reply", lambda u, m: {"message": message(
            u, m, text="ответ", reply_to_message=message(u, 999_999, text="?"))}),
        ("via another bot", "reply", lambda u, m: {"message": message(
            u, m, text="x", via_bot={"id": 5, "is_bot": True, "first_name": "Other"})}),
        ("service message: pinned", None, lambda u, m: {"message": message(
            u, m, pinned_message=message(u, 1, text="старое"))}),
        ("web app data", "reply", lambda u, m: {"message": message(
            u, m, web_app_data={"data": "<b>x</b>", "button_text": "Go"})}),
        ("contact with another's user id", "reply", lambda u, m: {"message": message(
            u, m, contact={"phone_number": "+79161234567", "first_name": "X",
                           "user_id": 42})}),
        ("contact with a junk number", "reply", lambda u, m: {"message": message(
            u, m, contact={"phone_number": "not-a-number' OR 1=1", "first_name": "X",
                           "user_id": u["id"]})}),
        ("location far away", "reply", lambda u, m: {"message": message(
            u, m, location={"latitude": -89.9, "longitude": 179.9})}),
        ("story", "reply", lambda u, m: {"message": message(
            u, m, story={"chat": chat(u), "id": 1})}),
        ("extra unknown fields everywhere", "reply", lambda u, m: {"message": {
            **message(u, m, text="/help"), "future_field": {"a": [1, 2, 3]},
            "chat": {**chat(u), "future_chat_field": True}}}),
    ]


def corpus() -> list[Input]:
    """Everything, once; at least 200 inputs."""
    inputs = [Input(f"text: {name}", "text", text=text) for name, text in _texts()]
    inputs += [Input(f"media: {kind}", "media", media=kind) for kind in MEDIA_KINDS]
    inputs += [
        Input("media: own contact", "media", media="contact"),
        Input("media: someone else's contact", "media", media="contact_other"),
        Input("media: photo with html caption", "media", media="photo",
              text="<b>подпись</b> <script>x</script>"),
        Input("media: document with a command caption", "media", media="document",
              text="/start diag"),
        Input("media: video with 1100-char caption", "media", media="video", text="я" * 1100),
        Input("media: voice with zero-width caption", "media", media="voice", text="\u200b"),
    ]
    inputs += [Input(f"click: {name}", "click", data=data) for name, data in _clicks()]
    inputs += [
        Input(f"raw: {name}", "raw", raw=build, expect=expect)
        for name, expect, build in _raw_builders()
    ]
    return inputs


def sampler(inputs: list[Input], every: int = 6) -> list[Input]:
    """All media and raw shapes and every `every`-th text and click: for the many states
    where the whole corpus would only repeat what the key states already showed."""
    texts = [i for i in inputs if i.kind in ("text", "click")]
    return [i for i in inputs if i.kind in ("media", "raw")] + texts[::every]
