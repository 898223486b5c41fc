"""The install commands of README.md and of the book's *Install and run* page (book/install.md).

Both give the same commands, and the notebook commands work: the jupytext conversion runs
here, and the ``notebook`` extra provides every executable they name (checked in the installed
distributions' console scripts, without starting a server).
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex
import shutil
import subprocess
import sysconfig
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGE = ROOT / "book" / "install.md"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SCRIPTS = Path(sysconfig.get_path("scripts"))  # the environment's bin folder

# A shell command that installs something, or that opens a chapter as a notebook.
SETUP_COMMAND = re.compile(r"^(python3 -m venv |\. \.venv/|pip install |conda |jupytext |jupyter )")
FENCE = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def commands(path: Path) -> list[str]:
    """The commands of a file's ```bash blocks: ``&&`` chains split, comments dropped."""
    found = []
    for block in FENCE.findall(path.read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            found += [part.strip() for part in line.split("&&") if part.strip()]
    return found


def setup_commands(path: Path) -> list[str]:
    return [command for command in commands(path) if SETUP_COMMAND.match(command)]


def notebook_commands() -> list[str]:
    """The README's commands after ``pip install -e ".[notebook]"``, in its notebook block."""
    readme = setup_commands(README)
    start = readme.index('pip install -e ".[notebook]"')
    return [command for command in readme[start + 1 :] if command.startswith("jupy")]


def extra_distributions(extra: str) -> set[str]:
    """The distributions that ``pip install -e ".[extra]"`` asks for: the extra's
    requirements, its self-references followed, and the runtime dependencies."""
    optional = PYPROJECT["project"]["optional-dependencies"]
    names, pending, seen = set(), [extra], set()
    requirements = list(PYPROJECT["project"]["dependencies"])
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            for text in optional[name]:
                requirement = Requirement(text)
                if requirement.name == "ganlib":
                    pending += sorted(requirement.extras)
                else:
                    requirements.append(text)
    for text in requirements:
        names.add(canonical(Requirement(text).name))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def console_script(name: str) -> importlib.metadata.EntryPoint | None:
    matches = importlib.metadata.entry_points(group="console_scripts", name=name)
    return next(iter(matches), None)


def installed_requirements(distribution: str) -> set[str]:
    requires = importlib.metadata.requires(distribution) or []
    return {canonical(Requirement(text).name) for text in requires if "extra ==" not in text}


# -- the README and the page agree ------------------------------------------------------------


def test_readme_and_install_page_give_the_same_install_commands():
    readme, page = setup_commands(README), setup_commands(PAGE)
    assert readme == page, (
        "README.md and book/install.md disagree on the install commands:\n"
        f"README: {readme}\npage:   {page}"
    )


def test_the_install_commands_take_the_cpu_torch_first_then_each_extra():
    ordered = setup_commands(README)
    cpu = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert ordered[:3] == ["python3 -m venv .venv", ". .venv/bin/activate", cpu]
    for extra in ("book", "dev", "notebook"):
        assert f'pip install -e ".[{extra}]"' in ordered, extra
        assert extra in PYPROJECT["project"]["optional-dependencies"], extra


def test_the_readme_no_longer_names_commands_no_extra_installs():
    # `jupyter notebook` needs the `notebook` distribution, which no extra installs.
    names = " ".join(commands(README) + commands(PAGE))
    assert "jupyter notebook" not in names and "jupyter-notebook" not in names


def test_the_install_page_is_in_the_table_of_contents_and_is_no_notebook():
    assert "file: book/install\n" in (ROOT / "_toc.yml").read_text(encoding="utf-8")
    # A page without code cells: the chapters' harness (conftest.py) must not collect it.
    assert not PAGE.read_text(encoding="utf-8").startswith("---")


# -- the notebook commands work ----------------------------------------------------------------


def test_the_notebook_commands_are_a_conversion_and_jupyterlab():
    convert, open_ = notebook_commands()
    assert convert.startswith("jupytext --to ipynb --output notebooks/")
    assert open_.startswith("jupyter lab notebooks/")
    convert = shlex.split(convert)
    assert shlex.split(open_)[-1] == convert[convert.index("--output") + 1]  # the file it wrote


def test_the_readme_conversion_writes_the_chapter_as_a_notebook(tmp_path):
    convert, _ = notebook_commands()
    argv = shlex.split(convert)
    output = argv.index("--output") + 1
    target = tmp_path / Path(argv[output]).name
    argv[output] = str(target)  # the README's command, writing outside the repository
    executable = shutil.which(argv[0], path=str(SCRIPTS))
    assert executable, f"no {argv[0]} in {SCRIPTS}: install the project with its book extra"
    result = subprocess.run(
        [executable, *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    notebook = nbformat.read(target, as_version=4)
    nbformat.validate(notebook)
    source = jupytext.read(ROOT / argv[-1])
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code and code == [cell.source for cell in source.cells if cell.cell_type == "code"]
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_the_notebook_extra_provides_the_executables_the_commands_name():
    needed = extra_distributions("notebook")
    assert {"jupyterlab", "jupytext", "ipykernel"} <= needed
    try:
        importlib.metadata.distribution("jupyterlab")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip('JupyterLab is not installed: pip install -e ".[notebook]"')
    executables = {}
    for command in notebook_commands():
        words = shlex.split(command)
        executables[words[0]] = words[0]
        if words[0] == "jupyter":  # `jupyter lab` runs the executable `jupyter-lab`
            executables[f"jupyter-{words[1]}"] = words[0]
    owners = {"jupytext": "jupytext", "jupyter": "jupyter-core", "jupyter-lab": "jupyterlab"}
    assert set(executables) == set(owners)
    for executable, distribution in owners.items():
        entry = console_script(executable)
        assert entry is not None, f"no installed distribution has the console script {executable}"
        assert canonical(entry.dist.name) == distribution, (executable, entry.dist.name)
        # The extra asks for it, or for a distribution that requires it.
        assert distribution in needed or any(
            distribution in installed_requirements(name) for name in needed
        ), f"the notebook extra does not install {distribution}"
    # `jupytext-config set-default-viewer`, which the text names, comes with jupytext.
    assert canonical(console_script("jupytext-config").dist.name) == "jupytext"


def test_jupyter_lab_runs_without_starting_a_server():
    executable = shutil.which("jupyter", path=str(SCRIPTS))
    if executable is None or console_script("jupyter-lab") is None:
        pytest.skip('JupyterLab is not installed: pip install -e ".[notebook]"')
    result = subprocess.run(
        [executable, "lab", "--version"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == importlib.metadata.version("jupyterlab")
