"""Write the declared floors of the project's dependencies as pip constraints.

Every requirement of ``pyproject.toml`` (the runtime dependencies and the extras that
``.[dev]`` installs) that states a lower bound ``>=X`` becomes ``name==X``, so that
``pip install -c floors.txt -e ".[dev]"`` installs the oldest versions the project says it
supports; the weekly CI job at the floors runs the tests there. Usage::

    python tools/floors.py > floors.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def requirements(pyproject: dict) -> list[str]:
    """The runtime requirements and those of every extra, self-references left out."""
    project = pyproject["project"]
    found = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        found += [r for r in extra if not r.startswith(project["name"] + "[")]
    return found


def floors(pyproject: dict) -> dict[str, str]:
    """``{name: version}`` for every requirement with a ``>=`` bound (the first one seen)."""
    pins: dict[str, str] = {}
    for requirement in requirements(pyproject):
        name, _extras, specifier = REQUIREMENT.match(requirement.split(";")[0]).groups()
        name = re.sub(r"[-_.]+", "-", name).lower()
        for part in specifier.split(","):
            part = part.strip()
            if part.startswith(">="):
                pins.setdefault(name, part[2:].strip())
            elif part.startswith("=="):
                pins.setdefault(name, part[2:].strip())
    return pins


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for name, version in sorted(floors(pyproject).items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
