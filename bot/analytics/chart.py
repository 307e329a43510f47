"""The funnel as a PNG: one horizontal bar per step, with owners and % of those who started.

matplotlib is imported on first use (it is heavy) with the non-interactive Agg backend.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.analytics.report import FunnelReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def funnel_png(report: FunnelReport, labels: list[str], title: str) -> bytes:
    figure = funnel_figure(report, labels, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def funnel_figure(report: FunnelReport, labels: list[str], title: str) -> Figure:
    """The chart before it is drawn; the axis counts owners, so its ticks are whole numbers."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = [step.owners for step in report.steps]
    figure = Figure(figsize=(8, 0.45 * len(values) + 1.2), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(values)))[::-1]
    colours = plt.get_cmap("Blues")(
        [0.35 + 0.6 * i / max(len(values) - 1, 1) for i in range(len(values))]
    )
    axes.barh(positions, values, color=colours[::-1], height=0.7)
    axes.set_yticks(positions, labels)
    axes.set_title(title, loc="left", fontsize=12)
    top = max(values) if values and max(values) > 0 else 1
    axes.set_xlim(0, top * 1.25)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, step in zip(positions, report.steps, strict=True):
        share = f" ({step.of_start}%)" if step.of_start is not None else ""
        axes.text(
            step.owners + top * 0.01, position, f"{step.owners}{share}", va="center", fontsize=9
        )
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=9)
    figure.tight_layout()
    return figure
