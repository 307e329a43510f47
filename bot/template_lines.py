"""Line breaks in content templates: what the author sees is what the owner reads.

Jinja's `trim_blocks` drops the line break after every `{% … %}` (and `{# … #}`) tag. That
is right for a tag alone on its line, which should leave no trace, and wrong for a tag that
ends a line of text: in `1. {{ name }}{% if strategic %} ⭐️{% endif %}` the line break after
`{% endif %}` was eaten and the next line glued to this one («…60%2. дилеры»).

`KeepLineBreaks` is a Jinja extension that rewrites each template before it is parsed so
that a tag ending a line which also holds text or `{{ … }}` keeps its line break (it becomes
`+%}`, Jinja's own switch for that); a line holding only tags still disappears whole.
"""

from __future__ import annotations

import re

from jinja2.ext import Extension

_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def keep_line_breaks(source: str) -> str:
    """`source` with `+` added to each tag that ends a line of text (see the module doc)."""
    tags = [match.span() for match in _TAG.finditer(source)]
    if not tags:
        return source
    masked = list(source)
    for start, end in tags:
        masked[start:end] = "\x00" * (end - start)  # tags, line breaks inside them too
    flat = "".join(masked)
    insert_at = []
    for start, end in tags:
        if source[end : end + 1] not in ("\n", "\r") or source[end - 3] in "+-":
            continue  # not at a line end, or the author already chose
        line_start = flat.rfind("\n", 0, start) + 1
        if flat[line_start:end].replace("\x00", "").strip():
            insert_at.append(end - 2)
    for position in reversed(insert_at):
        source = source[:position] + "+" + source[position:]
    return source


class KeepLineBreaks(Extension):
    """Jinja extension applying `keep_line_breaks` to every template and string template."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return keep_line_breaks(source)
