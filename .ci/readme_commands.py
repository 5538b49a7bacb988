"""Print a command of README.md's quick start: `demo` (the first) or `test` (the second).

The quick start is the first ```sh block of README.md and holds exactly two commands.
CI and tests/test_readme.py both read them from here, so the README stays true.
"""

import re
import sys
from pathlib import Path


def quick_start(readme: Path = Path(__file__).resolve().parent.parent / "README.md") -> list[str]:
    text = readme.read_text(encoding="utf-8")
    block = re.search(r"```(?:sh|bash|shell)\n(.*?)```", text, re.S)
    if not block:
        raise SystemExit("README.md has no ```sh quick start block")
    commands = [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]
    if len(commands) != 2:
        raise SystemExit(f"README.md's quick start must hold exactly two commands, found {len(commands)}")
    return commands


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "test"
    demo, test = quick_start()
    print(demo if which == "demo" else test)
