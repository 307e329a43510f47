"""The preliminary checklist's rules: what the owner's answers say, and where they disagree.

Pure functions of the diagnostic's answers (no I/O), grounded in the article:

* Lesson 1 defines three department types by who works on step 1 (attracting leads): type 1
  works on steps 2 and 3 with leads brought by marketing; type 2 works on all three steps
  itself; type 3 is mixed — usually steps 2 and 3, but when leads are few it starts
  generating leads too. So each answer to «who brings leads» describes one type
  (`SOURCE_TYPE`), and an answer that describes another type than the one chosen is a
  contradiction the checklist points out (every combination: `mismatch`).
* Lesson 4: «источников … может быть до 5, но обычно их 2-3»; funnels are built one at a
  time; the strategic source is determined at the diagnostic «по специальному алгоритму», so
  the owner's pick is their own view, to be checked there.

`checklist_context` returns exactly the variables `content/diagnostic/checklist.html` needs;
the template asks `described_type` (a template global) for the contradiction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DEPT_TYPES = (1, 2, 3)
SOURCE_TYPE: Mapping[str, int] = {"marketing": 1, "sales": 2, "both": 3}
"""The department type each answer to «who brings leads» describes (lesson 1)."""
USUAL_SEGMENTS = range(2, 4)
"""«обычно их 2-3» (lesson 4)."""


def described_type(lead_source: str) -> int | None:
    """The department type that the lead-source answer describes; None for no answer."""
    return SOURCE_TYPE.get(lead_source)


def mismatch(dept_type: int, lead_source: str) -> int | None:
    """The type the lead-source answer describes, when it is not the chosen type; else None."""
    described = described_type(lead_source)
    return described if described is not None and described != dept_type else None


def strategic_name(segments: Sequence[Mapping[str, Any]], strategic: int | None) -> str:
    """The name of the segment the owner picked as strategic ("" when there is none)."""
    names = [str(segment.get("name", "")) for segment in segments]
    if not names:
        return ""
    index = strategic if isinstance(strategic, int) and 0 <= strategic < len(names) else 0
    return names[index]


def checklist_context(
    dept_type: int | str | None,
    lead_source: str | None,
    segments: Sequence[Mapping[str, Any]],
    strategic: int | None,
) -> dict[str, Any]:
    """The variables of `diagnostic/checklist.html` for these answers."""
    number = int(dept_type) if dept_type not in (None, "") else 1
    return {
        "dept_type_number": number if number in DEPT_TYPES else 1,
        "lead_source": lead_source or "",
        "segments": [dict(segment) for segment in segments],
        "strategic_name": strategic_name(segments, strategic),
    }
