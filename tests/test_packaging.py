"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Conda-forge names that differ from the PyPI distribution names.
CONDA_TO_PYPI = {"pytorch": "torch"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)$")


def normalise(requirement: str, renames: dict[str, str] | None = None) -> tuple[str, str]:
    name, _extras, specifier = REQUIREMENT.match(requirement).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    name = (renames or {}).get(name, name)
    return name, ",".join(sorted(part.strip() for part in specifier.split(",") if part.strip()))


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("ganlib")]
    return dict(normalise(r) for r in requirements)


def conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"], "environment.yml must use conda-forge only"
    entries = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pairs = dict(normalise(entry, CONDA_TO_PYPI) for entry in entries)
    pairs.pop("python"), pairs.pop("pip")
    return pairs


def test_environment_yml_mirrors_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_package_with_all_extras():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [
        entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)
    ]
    assert pip_sections == [["-e .[dev]"]]


def test_torch_is_a_lower_bound_only():
    assert pyproject_requirements()["torch"].startswith(">=")
    assert "<" not in pyproject_requirements()["torch"]


def test_jupyter_book_is_pinned_below_2():
    assert pyproject_requirements()["jupyter-book"] == "<2,>=1.0.4"


def test_normalise_detects_drift():
    assert normalise("jupyter_book >=1.0.4, <2") == ("jupyter-book", "<2,>=1.0.4")
    assert normalise("pytorch>=2.1", CONDA_TO_PYPI) == ("torch", ">=2.1")
    assert normalise("numpy>=1.24") != normalise("numpy>=1.25")
