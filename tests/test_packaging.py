"""The package's metadata, and environment.yml (conda) against pyproject.toml (pip).

environment.yml must install, from conda-forge, a counterpart of every pip requirement that
``pip install -e .[dev]`` would install (the runtime dependencies and the extras that its pip
section names), with the version bounds that pyproject.toml states, and nothing that is not
accounted for. Conda-forge names are not always PyPI's, so the correspondence is an explicit
table: a new dependency fails here until someone looks its conda-forge name up.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))

# Every pip requirement (normalised PyPI name) and the conda-forge package that provides it.
# Most names are the same; these are not:
#   torch      -> pytorch            (conda-forge's torch package is called pytorch)
#   playwright -> playwright-python  (conda-forge's `playwright` is the Node.js command-line
#                                     tool; the Python library is `playwright-python`)
PYPI_TO_CONDA = {
    # runtime
    "torch": "pytorch",
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "scikit-learn": "scikit-learn",
    "tqdm": "tqdm",
    # book
    "jupyter-book": "jupyter-book",
    "sphinx-exercise": "sphinx-exercise",
    "sphinx-proof": "sphinx-proof",
    "jupytext": "jupytext",
    "ipykernel": "ipykernel",
    "scipy": "scipy",
    # test
    "pytest": "pytest",
    "pytest-xdist": "pytest-xdist",
    "hypothesis": "hypothesis",
    "nbval": "nbval",
    "pyyaml": "pyyaml",
    "playwright": "playwright-python",
    # notebook
    "jupyterlab": "jupyterlab",
    # dev
    "ruff": "ruff",
}
# Conda packages with no pip requirement behind them, and why environment.yml lists them.
CONDA_ONLY = {
    "python": "the interpreter (its bound is pyproject's requires-python)",
    "pip": "installs the package itself, from the pip section",
    "nodejs": "npm, which the browser check uses to install MathJax locally",
}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)$")


def normalise(requirement: str, renames: dict[str, str] | None = None) -> tuple[str, str]:
    """``(name, bounds)``: the PEP 503 name, and the bounds sorted and without spaces."""
    requirement = requirement.split(";")[0]  # no environment markers
    name, _extras, specifier = REQUIREMENT.match(requirement).groups()
    name = re.sub(r"[-_.]+", "-", name).lower()
    name = (renames or {}).get(name, name)
    parts = (part.strip().replace(" ", "") for part in specifier.split(","))
    return name, ",".join(sorted(part for part in parts if part))


def extras(requirement: str) -> list[str]:
    """The extras a requirement names: ``ganlib[book,test]`` -> ``["book", "test"]``."""
    match = re.search(r"\[([^\]]*)\]", requirement)
    names = match.group(1).split(",") if match else []
    return [name.strip() for name in names if name.strip()]


def pip_section() -> list[str]:
    sections = [entry["pip"] for entry in ENVIRONMENT["dependencies"] if isinstance(entry, dict)]
    assert len(sections) == 1, "environment.yml must have exactly one pip section"
    return sections[0]


def installed_extras(names: list[str]) -> set[str]:
    """The extras that installing ``ganlib[names]`` installs, self-references followed."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        assert name in optional, f"no extra {name!r} in pyproject.toml"
        seen.add(name)
        for requirement in optional[name]:
            if normalise(requirement)[0] == "ganlib":
                pending += extras(requirement)
    return seen


def pyproject_requirements(extra_names: set[str] | None = None) -> dict[str, str]:
    """Name -> bounds of the runtime dependencies and of the given extras (default: all)."""
    project = PYPROJECT["project"]
    optional = project["optional-dependencies"]
    requirements = list(project["dependencies"])
    for name in sorted(optional if extra_names is None else extra_names):
        requirements += optional[name]
    pairs = [normalise(requirement) for requirement in requirements]
    return {name: bounds for name, bounds in pairs if name != "ganlib"}


def environment_installs() -> dict[str, str]:
    """Name -> bounds of the pip requirements that environment.yml's pip section installs."""
    (line,) = pip_section()
    return pyproject_requirements(installed_extras(extras(line)))


def conda_requirements() -> dict[str, str]:
    """Conda-forge name -> bounds, for every conda package environment.yml lists."""
    assert ENVIRONMENT["channels"] == ["conda-forge"], "environment.yml must use conda-forge only"
    entries = [entry for entry in ENVIRONMENT["dependencies"] if isinstance(entry, str)]
    pairs = [normalise(entry) for entry in entries]
    names = [name for name, _ in pairs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"environment.yml lists these twice: {duplicates}"
    return dict(pairs)


# -- environment.yml against pyproject.toml ----------------------------------------------------


def test_environment_yml_installs_the_package_with_all_extras():
    assert pip_section() == ["-e .[dev]"]
    assert installed_extras(["dev"]) == set(PYPROJECT["project"]["optional-dependencies"])


def test_every_pip_requirement_has_a_conda_forge_name_in_the_table():
    unmapped = sorted(set(pyproject_requirements()) - set(PYPI_TO_CONDA))
    assert not unmapped, f"add the conda-forge names of {unmapped} to PYPI_TO_CONDA"
    stale = sorted(set(PYPI_TO_CONDA) - set(pyproject_requirements()))
    assert not stale, f"PYPI_TO_CONDA maps {stale}, which pyproject.toml no longer requires"


def test_every_pip_requirement_has_its_conda_counterpart_in_environment_yml():
    conda = conda_requirements()
    missing = sorted(
        f"{name} (conda-forge: {PYPI_TO_CONDA[name]})"
        for name in environment_installs()
        if PYPI_TO_CONDA.get(name) not in conda
    )
    assert not missing, f"environment.yml lacks the conda-forge packages of {missing}"


def test_every_conda_package_is_accounted_for():
    mapped = set(PYPI_TO_CONDA.values()) | set(CONDA_ONLY)
    stray = sorted(set(conda_requirements()) - mapped)
    assert not stray, (
        f"environment.yml lists {stray}, which no pip requirement maps to and CONDA_ONLY "
        "does not explain"
    )
    unused = sorted(set(CONDA_ONLY) - set(conda_requirements()))
    assert not unused, f"CONDA_ONLY explains {unused}, which environment.yml does not list"


def test_version_bounds_agree():
    # Where pyproject.toml states bounds, environment.yml states the same ones: an unbounded
    # conda entry would let conda install what pip refuses (nbval 0.12, ruff 0.18, ...).
    # A conda entry may state bounds where pip states none.
    conda = conda_requirements()
    disagreements = []
    for name, bounds in environment_installs().items():
        conda_bounds = conda.get(PYPI_TO_CONDA[name], "")
        if bounds and bounds != conda_bounds:
            disagreements.append(f"{name}: pip {bounds!r}, conda {conda_bounds!r}")
    python = normalise(f"python{PYPROJECT['project']['requires-python']}")[1]
    if conda["python"] != python:
        disagreements.append(f"python: requires-python {python!r}, conda {conda['python']!r}")
    assert not disagreements, "; ".join(disagreements)


def test_conda_forge_names_that_differ_from_pypi():
    assert PYPI_TO_CONDA["playwright"] == "playwright-python"
    assert PYPI_TO_CONDA["torch"] == "pytorch"
    # conda-forge's `playwright` is the Node.js tool: listing it would not give Python the
    # `playwright` module the browser check imports.
    assert "playwright" not in conda_requirements()


def test_normalise_detects_drift():
    assert normalise("jupyter_book >=1.0.4, <2") == ("jupyter-book", "<2,>=1.0.4")
    assert normalise("pytorch>=2.1", {"pytorch": "torch"}) == ("torch", ">=2.1")
    assert normalise("numpy>=1.24") != normalise("numpy>=1.25")
    assert normalise('tomli>=2; python_version < "3.11"') == ("tomli", ">=2")
    assert extras("ganlib[book, test]") == ["book", "test"]
    assert extras("-e .[dev]") == ["dev"]


# -- the pins -----------------------------------------------------------------------------------


def bounds(name: str) -> SpecifierSet:
    return SpecifierSet(pyproject_requirements()[name])


def test_torch_is_a_lower_bound_only_and_one_that_loads_numpy_2():
    assert pyproject_requirements()["torch"].startswith(">=")
    assert "<" not in pyproject_requirements()["torch"]
    # torch < 2.3 was built against NumPy 1 and breaks with NumPy 2, which numpy>=1.24 allows.
    assert "2.2.2" not in bounds("torch")


def test_jupyter_book_is_pinned_below_2():
    assert pyproject_requirements()["jupyter-book"] == "<2,>=1.0.4"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("nbval", "conftest.py subclasses nbval's collectors, which are internals"),
        ("ruff", "each minor release adds rules to the selected families"),
    ],
)
def test_tools_that_drift_have_an_upper_bound(name, reason):
    assert any(spec.operator in {"<", "<=", "=="} for spec in bounds(name)), reason


def test_installed_tools_are_within_their_bounds():
    for name in ("nbval", "ruff", "torch", "jupyter-book"):
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        assert bounds(name).contains(Version(version).base_version, prereleases=True), (
            f"{name} {version} is installed but pyproject.toml asks for {bounds(name)}"
        )


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_scipy_is_only_where_it_is_imported():
    package_imports = set().union(*(imports_of(path) for path in (ROOT / "ganlib").glob("*.py")))
    runtime = {normalise(r)[0] for r in PYPROJECT["project"]["dependencies"]}
    assert "scipy" not in package_imports, "ganlib imports scipy: make it a runtime dependency"
    assert "scipy" not in runtime, "ganlib never imports scipy; the extras that use it list it"
    optional = PYPROJECT["project"]["optional-dependencies"]
    for extra in ("book", "test"):
        assert "scipy" in {normalise(r)[0] for r in optional[extra]}, f"{extra} needs scipy"


# -- version and licence ------------------------------------------------------------------------


def source_version() -> str:
    """``ganlib.__version__`` as written in ganlib/__init__.py, read without importing it."""
    tree = ast.parse((ROOT / "ganlib" / "__init__.py").read_text(encoding="utf-8"))
    values = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        )
    ]
    assert len(values) == 1, "ganlib/__init__.py must assign __version__ exactly once"
    (value,) = values
    assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
        "__version__ must be a string literal, which setuptools reads without importing ganlib"
    )
    return value.value


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project, "pyproject.toml must not repeat the version"
    assert "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "ganlib.__version__"}
    Version(source_version())  # a valid PEP 440 version


def test_the_installed_metadata_has_the_source_version():
    try:
        installed = importlib.metadata.version("ganlib")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("ganlib is not installed (pip install -e .)")
    assert installed == source_version(), (
        f"the installed ganlib says {installed}, the source {source_version()}: "
        "reinstall (pip install -e .)"
    )


def test_the_licence_is_mit_in_spdx_form():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")], (
        "a licence classifier beside an SPDX licence expression is an error for setuptools"
    )
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 The authors of GANs from First Principles" in text


def test_the_build_backend_supports_spdx_licence_metadata():
    build = PYPROJECT["build-system"]
    assert build["build-backend"] == "setuptools.build_meta"
    (setuptools,) = [r for r in build["requires"] if normalise(r)[0] == "setuptools"]
    specifiers = SpecifierSet(normalise(setuptools)[1])
    # `license = "<SPDX expression>"` with `license-files` needs setuptools >= 77.
    assert "76.1.0" not in specifiers and "77.0.3" in specifiers
