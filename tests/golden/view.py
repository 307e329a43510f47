"""What Telegram shows for an HTML message, as readable plain text for golden files.

The HTML is parsed by `bot.telegram_html` (Telegram's own rules: the emulator uses the same
parser), then its entities are written back in a Markdown-like notation a reviewer reads at
a glance: **bold**, _italic_, __underline__, ~~strikethrough~~, ||spoiler||, `code`,
```pre```, [text](url) for links and mentions, and «> » before each line of a quote.
Inline keyboards are drawn below a message as rows of [label] boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.telegram_html import parse

_WRAP = {
    "bold": ("**", "**"),
    "italic": ("_", "_"),
    "underline": ("__", "__"),
    "strikethrough": ("~~", "~~"),
    "spoiler": ("||", "||"),
    "code": ("`", "`"),
}


@dataclass
class _Node:
    entity: dict[str, Any]
    start: int
    end: int
    children: list[_Node] = field(default_factory=list)


def _python_index(text: str) -> list[int]:
    """Map a UTF-16 offset to an index into `text` (offsets inside a pair map to the pair)."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.append(position)
        if ord(char) > 0xFFFF:
            index.append(position)
    index.append(len(text))
    return index


def _tree(text: str, entities: Iterable[dict[str, Any]]) -> list[_Node]:
    at = _python_index(text)
    nodes = sorted(
        (
            _Node(e, at[e["offset"]], at[e["offset"] + e["length"]])
            for e in entities
        ),
        key=lambda n: (n.start, -n.end),
    )
    roots: list[_Node] = []
    stack: list[_Node] = []
    for node in nodes:
        while stack and node.start >= stack[-1].end:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _emit(text: str, start: int, end: int, children: Sequence[_Node]) -> str:
    out: list[str] = []
    position = start
    for child in children:
        out.append(text[position : child.start])
        out.append(_wrap(child.entity, _emit(text, child.start, child.end, child.children)))
        position = child.end
    out.append(text[position:end])
    return "".join(out)


def _wrap(entity: dict[str, Any], inner: str) -> str:
    kind = entity["type"]
    if kind in _WRAP:
        left, right = _WRAP[kind]
        return f"{left}{inner}{right}"
    if kind == "text_link":
        return f"[{inner}]({entity['url']})"
    if kind == "text_mention":
        return f"[{inner}](tg://user?id={entity['user']['id']})"
    if kind == "pre":
        return f"```{entity.get('language', '')}\n{inner}\n```"
    if kind in ("blockquote", "expandable_blockquote"):
        return "\n".join(f"> {line}" for line in inner.split("\n"))
    return f"<{kind}>{inner}</{kind}>"


def shown_text(text: str, entities: Iterable[dict[str, Any]]) -> str:
    """Plain text with its entities written in the golden notation."""
    return _emit(text, 0, len(text), _tree(text, entities))


def shown_html(html: str) -> str:
    """An HTML message (parse_mode=HTML) as Telegram would show it, in the golden notation."""
    parsed = parse(html)
    return shown_text(parsed.text, parsed.entities)


def shown_keyboard(rows: Iterable[Iterable[Any]]) -> str:
    """Inline keyboard rows as lines of [label] boxes, with where each button leads."""
    lines = []
    for row in rows:
        cells = []
        for button in row:
            target = getattr(button, "url", None)
            cells.append(f"[{button.text}]" + (f" → {target}" if target else ""))
        lines.append("  ".join(cells))
    return "\n".join(lines)
