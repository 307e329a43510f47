"""Every user-facing text: Jinja2 templates and short UI texts from the `content/` folder.

Two kinds of text, two methods:

* HTML messages (sent with parse_mode=HTML): `render()` for templates under `content/`
  and `text()` for short snippets in the `[hints]` tables of the UI files. Both autoescape
  every value passed in, so user-supplied data (names, answers) can never inject markup.
* Plain texts Telegram does not parse as HTML: button labels, callback alerts, command
  descriptions, lesson titles. `label()` renders those WITHOUT escaping (an "&" in a label
  must stay "&", not become "&amp;"); never pass its result into an HTML message unescaped.

UI texts live in `content/ui.toml` plus any other `*.toml` at the content root (a flow may
keep its own, e.g. `diagnostic.toml`), addressed by dotted keys such as "buttons.next";
`samples.toml` and `*.samples.toml` hold the content check's sample contexts instead.

Both use StrictUndefined: a missing context variable is an error, never an empty string.
Line breaks are what the template shows (`bot.template_lines`): a line holding only
`{% … %}` tags disappears whole, every other line keeps its line break.
Templates are compiled once per process; lesson pages are memoized.

Templates may use, besides their context: the filters `num` (3.0 -> "3", 2.5 -> "2,5") and
`plural` (`n|plural("урок", "урока", "уроков")`), and the globals `button("next")` (a button
label, to quote it in a message), `label("diag_buttons.agree")` (any plain UI text, with its
variables as keyword arguments: the one place a phrase is worded, quoted everywhere),
`lesson_total()`, `commands()` (the [commands] menu) and `checklist_mismatch(type, source)`
(the checklist's contradiction rule, `bot.checklist.mismatch`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from bot.checklist import mismatch
from bot.telegram_html import MESSAGE_LIMIT, split_html
from bot.template_lines import KeepLineBreaks

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
UI_FILE = "ui.toml"
SAMPLES_FILE = "samples.toml"
SAMPLES_SUFFIX = ".samples.toml"
LESSON_FILE_RE = re.compile(r"^([1-9][0-9]*)\.html$")


def is_html_table(table: str) -> bool:
    """Whether a UI table holds HTML snippets (`[hints]`, `[*_hints]`, use `text()`).

    Every other table holds plain text (buttons, alerts, commands, titles...): `label()`.
    """
    return table == "hints" or table.endswith("_hints")


def is_samples_file(name: str) -> bool:
    """samples.toml and *.samples.toml hold the content check's sample contexts."""
    return name == SAMPLES_FILE or name.endswith(SAMPLES_SUFFIX)


class ContentError(Exception):
    """The content folder is broken (e.g. ui.toml does not parse); the message names the file."""


def plural(number: object, one: str, few: str, many: str) -> str:
    """Russian plural form for `number`: plural(1, "урок", "урока", "уроков") -> "урок".

    1, 21, 101 -> one; 2-4, 22-24 -> few; 0, 5-20, 25-30 -> many; a fraction (2,5) takes the
    genitive singular, which is `few` when counting in the nominative («2,5 года»).
    Pass the forms the phrase needs: after «более» all three are genitive
    (plural(n, "года", "лет", "лет"): «более 1 года», «более 3 лет», «более 21 года»).
    """
    value = float(str(number).replace(",", "."))
    if not value.is_integer():
        return few
    n = abs(int(value))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def number(value: object) -> str:
    """A number the Russian way: 3.0 -> "3", 2.5 -> "2,5"; strings pass through unchanged."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _make_env(root: Path, *, autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(root)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are read once per process
        keep_trailing_newline=False,
        extensions=[KeepLineBreaks],
    )
    env.filters["plural"] = plural
    env.filters["num"] = number
    return env


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text.strip())
    return re.sub(r"\n{3,}", "\n\n", text)


class Content:
    """Texts of the bot, loaded from one content folder (the repo's `content/` by default)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else DEFAULT_CONTENT_DIR
        self.env = _make_env(self.root, autoescape=True)
        self._plain_env = _make_env(self.root, autoescape=False)
        for env in (self.env, self._plain_env):
            env.globals["button"] = self._button
            env.globals["label"] = self.label
            env.globals["checklist_mismatch"] = mismatch
            env.globals["lesson_total"] = lambda: self.lesson_count
            env.globals["commands"] = self.commands
        self._compiled: dict[tuple[str, bool], Template] = {}
        self._pages: dict[int, tuple[str, ...]] = {}
        self._origin: dict[str, str] = {}  # UI table -> file name
        # Texts rendered without context never change (templates are read once per process):
        # each is rendered once. Texts with context are not kept (names, numbers: unbounded).
        self._constant: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"Content({str(self.root)!r})"

    # ------------------------------------------------------------------ templates

    def render(self, name: str, /, **ctx: Any) -> str:
        """Render `content/<name>` as an HTML message: stripped, at most one blank line in a row."""
        if not ctx:
            return self._once("render", name)
        return _tidy(self.env.get_template(name).render(**ctx))

    def _once(self, kind: str, key: str) -> str:
        """`kind` ("render", "text" or "label") of `key` without context, rendered once."""
        text = self._constant.get((kind, key))
        if text is None:
            if kind == "render":
                text = _tidy(self.env.get_template(key).render())
            else:
                text = self._template(key, kind == "text").render().strip()
            self._constant[(kind, key)] = text
        return text

    def templates(self) -> list[str]:
        """Names of every template (`*.html`) under the content folder, sorted."""
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*.html")
            if path.is_file()
        )

    # ------------------------------------------------------------------ ui.toml

    def ui_files(self) -> list[Path]:
        """ui.toml first, then every other `*.toml` text file at the content root, sorted.

        Samples files are not text files. A flow may keep its own texts in its own file
        (e.g. diagnostic.toml); table names must be unique across files.
        """
        others = sorted(
            path
            for path in self.root.glob("*.toml")
            if path.name != UI_FILE and not is_samples_file(path.name)
        )
        return [self.root / UI_FILE, *others]

    @cached_property
    def ui(self) -> Mapping[str, Any]:
        """All UI tables, merged from `ui_files()` in order (tables in file order)."""
        merged: dict[str, Any] = {}
        for path in self.ui_files():
            try:
                with path.open("rb") as handle:
                    data = tomllib.load(handle)
            except FileNotFoundError:
                raise ContentError(f"{path.name}: not found in {self.root}") from None
            except tomllib.TOMLDecodeError as error:
                raise ContentError(f"{path.name}: {error}") from None
            for table, value in data.items():
                if table in merged:
                    raise ContentError(
                        f"{path.name}: [{table}] is already defined in {self._origin[table]}"
                    )
                merged[table] = value
                self._origin[table] = path.name
        return merged

    def ui_file_of(self, key: str) -> str:
        """The file name defining a dotted key's table (for messages)."""
        self.ui  # noqa: B018 - load first
        return self._origin.get(key.partition(".")[0], UI_FILE)

    def ui_keys(self) -> list[str]:
        """Every dotted key of the UI files whose value is not a table, in file order."""
        keys: list[str] = []

        def walk(prefix: str, table: Mapping[str, Any]) -> None:
            for key, value in table.items():
                dotted = f"{prefix}.{key}" if prefix else str(key)
                if isinstance(value, Mapping):
                    walk(dotted, value)
                else:
                    keys.append(dotted)

        walk("", self.ui)
        return keys

    def raw(self, key: str) -> str:
        """The unrendered UI text of a dotted key; KeyError naming the key if absent."""
        node: Any = self.ui
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"no UI text for key {key!r}")
            node = node[part]
        if not isinstance(node, str):
            raise KeyError(f"UI key {key!r} is a table, not a text")
        return node

    def _template(self, key: str, escape: bool) -> Template:
        cached = self._compiled.get((key, escape))
        if cached is None:
            env = self.env if escape else self._plain_env
            cached = env.from_string(self.raw(key))
            self._compiled[(key, escape)] = cached
        return cached

    def text(self, key: str, /, **ctx: Any) -> str:
        """An HTML snippet from ui.toml (e.g. "hints.choose_below"), values autoescaped."""
        if not ctx:
            return self._once("text", key)
        return self._template(key, True).render(**ctx).strip()

    def label(self, key: str, /, **ctx: Any) -> str:
        """A plain text from ui.toml (button label, alert, command description), NOT escaped.

        Telegram shows button texts, callback alerts and command descriptions literally, so
        HTML escaping would show "&amp;". Never embed the result in an HTML message as is.
        """
        if not ctx:
            return self._once("label", key)
        return self._template(key, False).render(**ctx).strip()

    def _button(self, name: str, /, **ctx: Any) -> str:
        """Template global: `{{ button("next") }}` quotes a button label in a message."""
        return self.label(f"buttons.{name}", **ctx)

    def commands(self) -> list[tuple[str, str]]:
        """(command, description) pairs for the private-chat menu, in ui.toml order."""
        return self._command_table("commands")

    def group_commands(self) -> list[tuple[str, str]]:
        """(command, description) pairs for the consultants' group, in ui.toml order."""
        return self._command_table("group_commands")

    def _command_table(self, table: str) -> list[tuple[str, str]]:
        return [(name, self.label(f"{table}.{name}")) for name in self.ui.get(table, {})]

    # ------------------------------------------------------------------ lessons

    @cached_property
    def lesson_count(self) -> int:
        """Number of lessons: `lessons/1.html`, `lessons/2.html`, ... without gaps."""
        present = self.lesson_numbers()
        count = 0
        while count + 1 in present:
            count += 1
        return count

    def lesson_numbers(self) -> set[int]:
        """Every N with a `lessons/N.html` file (the content check reports gaps)."""
        folder = self.root / "lessons"
        if not folder.is_dir():
            return set()
        return {
            int(match.group(1))
            for path in folder.iterdir()
            if path.is_file() and (match := LESSON_FILE_RE.match(path.name))
        }

    def lesson_title(self, index: int) -> str:
        """The plain-text title of lesson `index` from ui.toml `[lesson_titles]`."""
        self._check_index(index)
        return self.label(f"lesson_titles.{index}")

    def lesson_pages(self, index: int) -> list[str]:
        """Lesson `index` (1-based) ready to send: header, body and call to action.

        Split at paragraph boundaries into messages of at most 4096 visible characters;
        the header is only on the first page. IndexError when out of range.
        """
        self._check_index(index)
        pages = self._pages.get(index)
        if pages is None:
            total = self.lesson_count
            header = self.render(
                "messages/lesson_header.html",
                n=index,
                total=total,
                title=self.lesson_title(index),
            )
            body = self.render(f"lessons/{index}.html", n=index, total=total)
            cta = self.render(f"messages/lesson_cta_{index}.html", n=index, total=total)
            full = "\n\n".join(part for part in (header, body, cta) if part)
            pages = tuple(split_html(full, MESSAGE_LIMIT))
            self._pages[index] = pages
        return list(pages)

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise IndexError(f"lesson index must be an int, not {index!r}")
        if not 1 <= index <= self.lesson_count:
            raise IndexError(f"lesson {index!r} out of range 1..{self.lesson_count}")
