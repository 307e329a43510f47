"""The golden files: what each template, each UI text and each keyboard shows, per sample.

The contexts are the content check's samples (content/samples.toml and *.samples.toml: one
place for both), each optionally named by a `_case` key. A template with user-supplied
variables gets one more case with hostile text in all of them, which must show as typed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.content import Content
from bot.content_check import UI_PREFIX, load_sample_keyboards, load_samples
from bot.telegram_html import parse
from bot.text_layout import glued_lines
from tests.golden.view import shown_html, shown_keyboard

RENDERS_DIR = Path(__file__).resolve().parent / "renders"
HOSTILE = '<b>Рога & Копыта</b> "Ltd" <script>'
REGENERATE = "make golden"
NOTATION = (
    "**bold** _italic_ __underline__ ~~strikethrough~~ ||spoiler|| `code` "
    "[text](url) «> » quote"
)


def _header(what: str) -> str:
    return (
        f"Golden render of {what}: the text Telegram shows, one case per sample context\n"
        f"(content/*.samples.toml). Regenerate with `{REGENERATE}`, then review the diff.\n"
        f"Notation: {NOTATION}.\n"
    )


def _title(index: int, name: str, ctx: dict[str, Any]) -> str:
    if not name:
        name = json.dumps(ctx, ensure_ascii=False, sort_keys=True) if ctx else "no context"
    return f"━━━ case {index}: {name}"


def template_cases(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, context) of every sample, then the hostile case when there are user variables."""
    cases = list(zip(entry["cases"], entry["contexts"], strict=True))
    if entry["user"]:
        first = entry["contexts"][0]
        hostile = {**first, **{var: HOSTILE for var in entry["user"]}}
        cases.append((f"hostile text in {', '.join(entry['user'])}", hostile))
    return cases


def golden_files(content: Content) -> dict[str, str]:
    """File name under renders/ -> its expected text, for every template plus ui and keyboards."""
    return render_all(content)[0]


def render_all(content: Content) -> tuple[dict[str, str], list[str]]:
    """`golden_files` and the lines run together in any rendered message (bot.text_layout)."""
    samples, problems = load_samples(content.root)
    if problems:
        raise ValueError("; ".join(problems))
    files: dict[str, str] = {}
    glued: list[str] = []
    for name in content.templates():
        entry = samples.get(name)
        if entry is None:
            continue  # test_golden reports it
        parts = [_header(f"content/{name}")]
        for index, (case, ctx) in enumerate(template_cases(entry), start=1):
            title = _title(index, case, ctx)
            html = content.render(name, **ctx)
            glued.extend(f"{name} {title[4:]}: {found}" for found in glued_lines(parse(html).text))
            parts.append(title)
            parts.append(shown_html(html) + "\n")
        files[name.removesuffix(".html") + ".txt"] = "\n".join(parts)
    files["ui.txt"] = _ui_file(content, samples)
    files["keyboards.txt"] = _keyboards_file(content)
    return files, glued


def _ui_file(content: Content, samples: dict[str, Any]) -> str:
    parts = [_header("every UI text (content/*.toml): buttons, alerts, labels, hints")]
    for key in content.ui_keys():
        entry = samples.get(UI_PREFIX + key)
        contexts = entry["contexts"] if entry else [{}]
        for ctx in contexts:
            shown = (
                shown_html(content.text(key, **ctx))
                if key.partition(".")[0].endswith("hints")
                else content.label(key, **ctx)
            )
            suffix = f" {json.dumps(ctx, ensure_ascii=False, sort_keys=True)}" if ctx else ""
            parts.append(f"{key}{suffix} = {shown}")
    return "\n".join(parts) + "\n"


def _keyboards_file(content: Content) -> str:
    keyboards, problems = load_sample_keyboards(content)
    if problems:
        raise ValueError("; ".join(problems))
    parts = [_header("every inline keyboard the bot builds (bot.keyboards.sample_keyboards)")]
    for name, markup in keyboards:
        parts.append(f"━━━ {name}")
        parts.append(shown_keyboard(markup.inline_keyboard) + "\n")
    return "\n".join(parts)


def write(files: dict[str, str], root: Path = RENDERS_DIR) -> list[str]:
    """Write every file, delete stale ones; the names of files that changed."""
    changed = []
    wanted = {root / name for name in files}
    for path in sorted(root.rglob("*.txt")) if root.exists() else []:
        if path not in wanted:
            path.unlink()
            changed.append(str(path.relative_to(root)))
    for name, text in sorted(files.items()):
        path = root / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed
