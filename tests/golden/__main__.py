"""`python -m tests.golden`: rewrite the golden renders from the current content."""

from __future__ import annotations

import sys

from bot.content import Content
from tests.golden.renders import RENDERS_DIR, golden_files, write


def main() -> int:
    changed = write(golden_files(Content()))
    for name in changed:
        print(f"updated {RENDERS_DIR.name}/{name}")
    print(f"golden renders: {len(changed)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
