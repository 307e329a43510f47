"""Every text the bot sends matches its reviewed golden render (tests/golden/renders/)."""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.content_check import load_samples
from tests.golden.renders import REGENERATE, RENDERS_DIR, render_all


@pytest.fixture(scope="module")
def rendered(content: Content) -> tuple[dict[str, str], list[str]]:
    return render_all(content)


def test_every_template_has_a_golden_file(content: Content) -> None:
    samples, _ = load_samples(content.root)
    missing = [
        name for name in content.templates()
        if name not in samples
        or not (RENDERS_DIR / (name.removesuffix(".html") + ".txt")).is_file()
    ]
    assert not missing, f"templates without golden renders: {missing}; run `{REGENERATE}`"


def test_renders_match_the_golden_files(rendered: tuple[dict[str, str], list[str]]) -> None:
    files = rendered[0]
    differ = [
        name for name, text in files.items()
        if not (RENDERS_DIR / name).is_file()
        or (RENDERS_DIR / name).read_text(encoding="utf-8") != text
    ]
    stale = sorted(
        str(path.relative_to(RENDERS_DIR)) for path in RENDERS_DIR.rglob("*.txt")
        if str(path.relative_to(RENDERS_DIR)) not in files
    )
    assert not differ and not stale, (
        f"renders changed: {differ}; golden files without a template: {stale}. "
        f"Run `{REGENERATE}` and review the diff."
    )


def test_no_render_runs_two_lines_together(rendered: tuple[dict[str, str], list[str]]) -> None:
    """A lost line break glues a label or a list item to the value before it."""
    assert rendered[1] == []
