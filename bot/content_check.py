"""The content check (`python -m bot check-content`): render every text the bot can send.

Renders every template under `content/` with each sample context from
`content/samples.toml` (plus hostile values for user-supplied variables), every ui.toml
text, every lesson page and every keyboard the bot builds, and reports what Telegram would
reject or show wrong: HTML it cannot parse, disallowed tags, messages over 4096 visible
characters, unescaped user data, template errors, over-long labels, alerts and command
descriptions, malformed command names, callback data over 64 bytes, and lines run
together (a lost line break, `bot.text_layout`), and wording out of the bot's voice
(«я», «передумал(а)»: `bot.wording`).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from jinja2 import meta

from bot.content import SAMPLES_FILE, Content, ContentError, is_html_table, is_samples_file
from bot.telegram_html import (
    MESSAGE_LIMIT,
    STRICT_ONLY_PREFIXES,
    TelegramHTMLError,
    check_link,
    parse,
    utf16_len,
)
from bot.text_layout import glued_lines
from bot.wording import wording_problems

UI_PREFIX = "ui:"
CASE_KEY = "_case"
"""An optional short name of a sample context (shown in golden renders, never rendered)."""
HOSTILE_VALUES = ('<b>&"', "<script>alert('x')</script>", 'Рога & Копыта "Ltd" </i>')
"""Rendered into every variable a samples.toml entry lists under `user`."""

ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
     "blockquote", "tg-spoiler", "span"}  # span only as <span class="tg-spoiler">
)
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
LABEL_LIMIT = 64
ALERT_LIMIT = 200
DESCRIPTION_LIMIT = 256
CALLBACK_DATA_LIMIT = 64
BUTTON_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)

REQUIRED_TEMPLATES = (
    "messages/greeting.html", "messages/greeting_back.html", "messages/final_cta.html",
    "messages/help.html", "messages/cancel.html", "messages/unknown_input.html",
    "messages/lessons_done.html", "messages/error.html",
    "messages/lesson_header.html",
)
REQUIRED_UI_KEYS = (
    "buttons.start_lessons", "buttons.diagnostic", "buttons.next", "buttons.back",
    "buttons.finish", "buttons.resume", "buttons.restart", "buttons.share", "buttons.menu",
    "alerts.stale_button", "alerts.lesson_not_found",
    "commands.start", "commands.lessons", "commands.diagnostic", "commands.share",
    "commands.privacy", "commands.delete_me", "commands.help", "commands.cancel",
    "group_commands.leads", "group_commands.lead", "group_commands.export",
    "group_commands.stats", "group_commands.bind", "group_commands.help",
)

_REFERENCE_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);")


@dataclass
class Report:
    """What the check found, plus counts for the summary line."""

    problems: list[str] = field(default_factory=list)
    renders: int = 0
    templates: int = 0
    ui_texts: int = 0
    lessons: int = 0
    pages: int = 0
    keyboards: int = 0
    buttons: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def summary(self) -> str:
        scope = (
            f"{self.templates} templates ({self.renders} renders), {self.ui_texts} UI texts, "
            f"{self.lessons} lessons ({self.pages} pages), {self.keyboards} keyboards "
            f"({self.buttons} buttons)"
        )
        if self.problems:
            count = len(self.problems)
            return f"check-content: {count} problem{'s' if count != 1 else ''} in {scope}"
        return f"check-content: OK — {scope}"


def check_content(
    content: Content, keyboards: Iterable[tuple[str, InlineKeyboardMarkup]] = ()
) -> list[str]:
    """Human-readable problems with the content and keyboards; empty when all is well."""
    return run_check(content, keyboards).problems


def run_check(
    content: Content, keyboards: Iterable[tuple[str, InlineKeyboardMarkup]] = ()
) -> Report:
    """`check_content` with the counts for a summary line."""
    report = Report()
    samples = _load_samples(content.root, report)
    try:
        ui_keys = content.ui_keys()
    except ContentError as error:
        report.add(str(error))
        ui_keys = []
    _check_templates(content, samples, report)
    _check_ui(content, ui_keys, samples, report)
    _check_lessons(content, ui_keys, report)
    _check_stale_samples(content, ui_keys, samples, report)
    _check_keyboards(keyboards, report)
    return report


# --------------------------------------------------------------------------- samples


def load_samples(root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Sample contexts from samples.toml and every *.samples.toml, keyed by template/UI key.

    Each entry: "contexts" (dicts to render with), "cases" (a short name per context: its
    optional `_case` key, taken out of the context; "" when absent), "user" (variables holding
    user-supplied text) and "file". Also returns the problems found in the files.
    """
    report = Report()
    samples = _load_samples(root, report)
    return samples, report.problems


def _load_samples(root: Path, report: Report) -> dict[str, dict[str, Any]]:
    extra = (p for p in root.glob("*.toml") if p.name != SAMPLES_FILE and is_samples_file(p.name))
    paths = [root / SAMPLES_FILE, *sorted(extra)]
    samples: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            with path.open("rb") as handle:
                raw = tomllib.load(handle)
        except FileNotFoundError:
            report.add(f"{path.name}: not found in {root}")
            continue
        except tomllib.TOMLDecodeError as error:
            report.add(f"{path.name}: {error}")
            continue
        for name, entry in raw.items():
            where = f'{path.name} ["{name}"]'
            contexts = entry.get("contexts") if isinstance(entry, Mapping) else None
            user = entry.get("user", []) if isinstance(entry, Mapping) else None
            if not isinstance(contexts, list) or not contexts or not all(
                isinstance(ctx, Mapping) for ctx in contexts
            ):
                report.add(f'{where}: "contexts" must be a non-empty list of tables')
                continue
            if not isinstance(user, list) or not all(isinstance(var, str) for var in user):
                report.add(f'{where}: "user" must be a list of variable names')
                continue
            if name in samples:
                report.add(f"{where}: samples for {name} are already given in another file")
                continue
            cases = [str(ctx.get(CASE_KEY, "")) for ctx in contexts]
            samples[name] = {
                "contexts": [{k: v for k, v in ctx.items() if k != CASE_KEY} for ctx in contexts],
                "cases": cases,
                "user": user,
                "file": path.name,
            }
    return samples


def _contexts(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sample contexts, then each again with every hostile value in each user variable."""
    result = [dict(ctx) for ctx in entry["contexts"]]
    for var in entry["user"]:
        for ctx in entry["contexts"]:
            for value in HOSTILE_VALUES:
                result.append({**ctx, var: value})
    return result


def _describe(ctx: Mapping[str, Any]) -> str:
    if not ctx:
        return "no context"
    text = ", ".join(f"{key}={value!r}" for key, value in ctx.items())
    return text if len(text) <= 80 else text[:77] + "..."


def _check_stale_samples(
    content: Content, ui_keys: list[str], samples: Mapping[str, Any], report: Report
) -> None:
    known = set(content.templates()) | {UI_PREFIX + key for key in ui_keys}
    for name, entry in samples.items():
        if name not in known:
            report.add(f'{entry["file"]} ["{name}"]: no such template or UI text')


# --------------------------------------------------------------------------- messages


def _check_message(
    report: Report, where: str, html: str, ctx: Mapping[str, Any], limit: int | None
) -> None:
    """One rendered HTML message: escaping, Telegram's parser, allowed tags, length."""
    report.renders += 1
    masked = _REFERENCE_RE.sub("\x00", html)
    for key, value in ctx.items():
        if isinstance(value, str) and any(ch in value for ch in '<>&"') and value in masked:
            report.add(f"{where}: the value of {key} ({value!r}) appears unescaped")
            return
    if not html.strip():
        report.add(f"{where}: renders to an empty message; Telegram rejects empty text")
        return
    try:
        parsed = parse(html, strict=True)
    except TelegramHTMLError as error:
        if error.description.startswith(STRICT_ONLY_PREFIXES):
            report.add(f"{where}: {error.description}")
        else:
            report.add(f"{where}: Telegram would reject it: {error.description}")
        return
    for tag in sorted(set(parsed.tags) - ALLOWED_TAGS):
        report.add(
            f"{where}: tag <{tag}> is not allowed "
            f"(use b, i, u, s, a, code, pre, blockquote, tg-spoiler)"
        )
    for glued in glued_lines(parsed.text):
        report.add(f"{where}: {glued}")
    if not where.startswith("lessons/"):  # the lessons are the article, in its author's voice
        for problem in wording_problems(parsed.text):
            report.add(f"{where}: {problem}")
    length = utf16_len(parsed.text)
    if limit is not None and length > limit:
        report.add(f"{where}: {length} visible characters, over Telegram's limit of {limit}")


def _check_templates(
    content: Content, samples: Mapping[str, Any], report: Report
) -> None:
    names = content.templates()
    for required in REQUIRED_TEMPLATES:
        if required not in names:
            report.add(f"{required}: missing (the bot sends it)")
    for name in names:
        report.templates += 1
        entry = samples.get(name)
        if entry is None:
            report.add(
                f'{name}: no sample contexts; add a ["{name}"] table to {SAMPLES_FILE} '
                f"(or to a <flow>.samples.toml next to it)"
            )
            continue
        try:
            content.env.get_template(name)
        except Exception as error:
            report.add(f"{name}: template error: {error}")
            continue
        # A lesson body may be long: lesson_pages() splits it, and the pages are checked.
        limit = None if name.startswith("lessons/") else MESSAGE_LIMIT
        for ctx in _contexts(entry):
            where = f"{name} [{_describe(ctx)}]"
            html = _rendered(report, where, content.render, name, ctx)
            if html is not None:
                _check_message(report, where, html, ctx, limit)


def _rendered(
    report: Report, where: str, render: Callable[..., str], name: str, ctx: dict[str, Any]
) -> str | None:
    """`render(name, **ctx)`, or None with the template error reported at `where`."""
    try:
        return render(name, **ctx)
    except Exception as error:
        report.add(f"{where}: template error: {type(error).__name__}: {error}")
        return None


# --------------------------------------------------------------------------- ui.toml


def _check_ui(
    content: Content, ui_keys: list[str], samples: Mapping[str, Any], report: Report
) -> None:
    present = set(ui_keys)
    for required in REQUIRED_UI_KEYS:
        if ui_keys and required not in present:
            report.add(f"ui.toml {required}: missing (the bot uses it)")
    for key in ui_keys:
        report.ui_texts += 1
        table, _, name = key.partition(".")
        where = f"{content.ui_file_of(key)} {key}"
        raw = content.raw(key) if _is_text(content, key) else None
        if raw is None:
            report.add(f"{where}: must be a string")
            continue
        try:
            variables = meta.find_undeclared_variables(content.env.parse(raw))
        except Exception as error:
            report.add(f"{where}: template error: {error}")
            continue
        variables -= set(content.env.globals)
        entry = samples.get(UI_PREFIX + key)
        if entry is None and variables:
            report.add(
                f"{where}: uses {', '.join(sorted(variables))} but has no sample contexts; "
                f'add a ["{UI_PREFIX}{key}"] table to {SAMPLES_FILE}'
            )
            continue
        contexts = _contexts(entry) if entry else [{}]
        if table in ("commands", "group_commands") and not COMMAND_RE.match(name):
            report.add(f"{where}: command name {name!r} must match {COMMAND_RE.pattern}")
        for ctx in contexts:
            described = f"{where} [{_describe(ctx)}]" if ctx else where
            if is_html_table(table):
                html = _rendered(report, described, content.text, key, ctx)
                if html is not None:
                    _check_message(report, described, html, ctx, MESSAGE_LIMIT)
                continue
            value = _rendered(report, described, content.label, key, ctx)
            if value is None:
                continue
            report.renders += 1
            _check_plain(report, described, table, value, content.text(key, **ctx))


def _is_text(content: Content, key: str) -> bool:
    try:
        content.raw(key)
    except KeyError:
        return False
    return True


def _check_plain(report: Report, where: str, table: str, value: str, escaped: str) -> None:
    """A plain text: buttons (`[buttons]`, `[*_buttons]`), alerts, commands, titles, others."""
    if not value.strip():
        report.add(f"{where}: empty")
        return
    for problem in wording_problems(value):
        report.add(f"{where}: {problem}")
    if (table == "buttons" or table.endswith("_buttons")) and len(value) > LABEL_LIMIT:
        report.add(f"{where}: button label of {len(value)} characters, over {LABEL_LIMIT}")
    if table == "alerts" or table.endswith("_alerts"):
        if len(value) > ALERT_LIMIT:
            report.add(f"{where}: alert of {len(value)} characters, over {ALERT_LIMIT}")
        if escaped != value:
            report.add(
                f"{where}: contains characters HTML escaping changes (<, >, &, \", '); "
                f"alerts are plain text and would show them escaped if rendered with text()"
            )
    if table in ("commands", "group_commands") and len(value) > DESCRIPTION_LIMIT:
        report.add(f"{where}: description of {len(value)} characters, over {DESCRIPTION_LIMIT}")
    if table == "lesson_titles" and "\n" in value:
        report.add(f"{where}: a title must be one line")


# --------------------------------------------------------------------------- lessons


def _check_lessons(content: Content, ui_keys: list[str], report: Report) -> None:
    numbers = content.lesson_numbers()
    count = content.lesson_count
    report.lessons = count
    if count == 0:
        report.add("lessons/: no lessons; expected lessons/1.html, lessons/2.html, ...")
        return
    for number in sorted(numbers - set(range(1, count + 1))):
        report.add(f"lessons/{number}.html: lesson {count + 1} is missing, so it is never shown")
    titles = {key.partition(".")[2] for key in ui_keys if key.startswith("lesson_titles.")}
    for index in range(1, count + 1):
        if str(index) not in titles:
            report.add(f"ui.toml lesson_titles.{index}: missing (title of lessons/{index}.html)")
    for extra in sorted(titles - {str(i) for i in range(1, count + 1)}):
        report.add(f"ui.toml lesson_titles.{extra}: no such lesson")
    for index in range(1, count + 1):
        try:
            pages = content.lesson_pages(index)
        except Exception as error:
            report.add(f"lessons/{index}.html: lesson pages: {type(error).__name__}: {error}")
            continue
        for number, page in enumerate(pages, start=1):
            report.pages += 1
            where = f"lessons/{index}.html page {number}/{len(pages)}"
            _check_message(report, where, page, {}, MESSAGE_LIMIT)


# --------------------------------------------------------------------------- keyboards


def _check_keyboards(
    keyboards: Iterable[tuple[str, InlineKeyboardMarkup]], report: Report
) -> None:
    for name, markup in keyboards:
        report.keyboards += 1
        for r, row in enumerate(markup.inline_keyboard, start=1):
            for c, button in enumerate(row, start=1):
                report.buttons += 1
                where = f"keyboard {name}, row {r}, button {c} ({button.text!r})"
                if not button.text.strip():
                    report.add(f"{where}: empty label")
                elif len(button.text) > LABEL_LIMIT:
                    report.add(f"{where}: label of {len(button.text)} characters, over 64")
                if not any(getattr(button, action, None) is not None for action in BUTTON_ACTIONS):
                    report.add(f"{where}: has neither callback_data nor url")
                data = button.callback_data
                if data is not None:
                    size = len(data.encode("utf-8"))
                    if not 1 <= size <= CALLBACK_DATA_LIMIT:
                        report.add(f"{where}: callback_data of {size} bytes, allowed 1-64")
                url = button.url
                if url is not None and (
                    check_link(url) is None or not re.match(r"(?i)(https?|tg)://", url)
                ):
                    report.add(f"{where}: url {url!r} is not an http(s):// or tg:// link")


# --------------------------------------------------------------------------- CLI


def load_sample_keyboards(
    content: Content,
) -> tuple[list[tuple[str, InlineKeyboardMarkup]], list[str]]:
    """Keyboards from `bot.keyboards.sample_keyboards`, if that exists: (keyboards, problems)."""
    try:
        module = importlib.import_module("bot.keyboards")
    except ModuleNotFoundError as error:
        if error.name in ("bot.keyboards",):
            return [], []
        return [], [f"bot/keyboards.py: import failed: {error}"]
    except Exception as error:
        return [], [f"bot/keyboards.py: import failed: {type(error).__name__}: {error}"]
    builder = getattr(module, "sample_keyboards", None)
    if builder is None:
        return [], []
    try:
        return list(builder(content)), []
    except Exception as error:
        return [], [f"bot/keyboards.py: sample_keyboards failed: {type(error).__name__}: {error}"]


def check_content_cli(content_dir: Path | None = None) -> Report:
    """The full check as the CLI runs it: content plus the bot's own keyboards, if any."""
    content = Content(content_dir)
    keyboards, problems = load_sample_keyboards(content)
    report = run_check(content, keyboards)
    report.problems[:0] = problems
    return report


def main(argv: list[str] | None = None) -> int:
    """Print problems one per line and a summary; 0 when all is well, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m bot check-content", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--content-dir", type=Path, default=None, help="content folder (default: the repo's)"
    )
    args = parser.parse_args(argv)
    report = check_content_cli(args.content_dir)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 1 if report.problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
