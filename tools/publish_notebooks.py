"""Prepare the executed chapters for Colab and Binder: the ``notebooks`` branch's content.

The book's Pages workflow builds the book, then runs this script on the executed chapters
(``_build/jupyter_execute/book/*.ipynb``) and pushes what it writes to the ``notebooks``
branch of the repository, where the Colab and Binder buttons of every chapter page point
(``_ext/launch_buttons.py``)::

    python tools/publish_notebooks.py --commit "$(git rev-parse HEAD)" \\
        --out notebooks _build/jupyter_execute/book/*.ipynb

writes ``notebooks/book/<chapter>.ipynb`` and ``notebooks/binder/``. Each notebook begins
with a setup cell (:func:`setup_cell_source`) that installs the book's package, at the commit
the chapter was executed at, where ``ganlib`` or ``myst_nb`` cannot be imported (a Colab
runtime), and does nothing where both can (the book's build, a local install, Binder). The
``binder/`` folder is the repository's, with its ``-e .[book]`` (the checkout itself) replaced
by the package at that commit, since the branch holds no source.

Standard library only: the workflow runs it without installing the project.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "https://github.com/gans-from-first-principles/book"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
SETUP_CELL_ID = "ganlib-setup"
LOCAL_PROJECT = re.compile(r"^-e\s+\.(\[book\])?\s*$")


def torch_requirement(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The project's requirement on torch, as pyproject.toml writes it (``torch>=2.13``)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        if re.match(r"torch\b(?![-_.\w])", requirement.strip()):
            return requirement.strip()
    raise ValueError(f"{pyproject} does not require torch")


def lower_bound(requirement: str) -> tuple[int, ...]:
    """The release that a ``name>=X.Y`` requirement asks for at least.

    >>> lower_bound("torch>=2.13")
    (2, 13)
    """
    match = re.search(r">=\s*(\d+(?:\.\d+)*)", requirement)
    if match is None:
        raise ValueError(f"{requirement!r} has no lower bound (>=)")
    return tuple(int(part) for part in match.group(1).split("."))


def package_requirement(commit: str, source: str | None = None) -> str:
    """``ganlib[book]`` at ``commit`` of the repository, or from ``source`` (a pip URL).

    >>> package_requirement("0123abc")
    'ganlib[book] @ git+https://github.com/gans-from-first-principles/book@0123abc'
    """
    if not re.fullmatch(r"[0-9A-Za-z._/-]+", commit):
        raise ValueError(f"not a commit: {commit!r}")
    return f"ganlib[book] @ {source or f'git+{REPOSITORY}@{commit}'}"


def setup_cell_source(commit: str, torch: str, source: str | None = None) -> str:
    """The source of the setup cell that heads every published chapter.

    ``commit`` is the commit the chapter was executed at, ``torch`` the project's requirement
    on torch (:func:`torch_requirement`), ``source`` where pip takes the package from (the
    repository at ``commit`` unless given).
    """
    package = package_requirement(commit, source)
    minimum = lower_bound(torch)
    return f"""\
# Setup: installs the book's package where it is missing (a fresh Colab runtime, say) and
# does nothing where it is installed. Run this cell first; the chapter needs no other step.
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys

PACKAGE = {json.dumps(package)}
TORCH = {json.dumps(torch)}
TORCH_MINIMUM = {minimum!r}
CPU_INDEX = {json.dumps(CPU_INDEX)}


def _pip_install(*arguments):
    subprocess.check_call([sys.executable, "-m", "pip", "install", *arguments])


def _torch_release():
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None
    return tuple(int(part) for part in re.findall(r"\\d+", version.split("+")[0])[:3])


if any(importlib.util.find_spec(name) is None for name in ("ganlib", "myst_nb")):
    release = _torch_release()
    if shutil.which("nvidia-smi") is None and (release is None or release < TORCH_MINIMUM):
        # No NVIDIA GPU: the CPU build of torch, not the multi-GB CUDA one from PyPI.
        _pip_install(TORCH, "--index-url", CPU_INDEX)
    _pip_install(PACKAGE)
    importlib.invalidate_caches()
"""


def setup_cell(commit: str, torch: str, source: str | None = None) -> dict:
    """The setup cell as an nbformat 4.5 code cell."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": SETUP_CELL_ID,
        "metadata": {"tags": ["setup"]},
        "outputs": [],
        "source": setup_cell_source(commit, torch, source).splitlines(keepends=True),
    }


def with_setup_cell(notebook: dict, cell: dict) -> dict:
    """``notebook`` headed by ``cell`` (replacing a setup cell it already has)."""
    cells = [c for c in notebook.get("cells", []) if c.get("id") != SETUP_CELL_ID]
    notebook = dict(notebook, cells=[cell, *cells])
    # Cell ids are nbformat 4.5's; say so for notebooks saved by an older minor version.
    if notebook.get("nbformat") == 4 and notebook.get("nbformat_minor", 0) < 5:
        notebook["nbformat_minor"] = 5
    return notebook


def published_binder_line(line: str, package: str) -> str:
    """A line of binder/requirements.txt as published: the checkout becomes the package."""
    return f"{package}\n" if LOCAL_PROJECT.match(line.strip()) else line


def publish(
    notebooks: Iterable[Path],
    out: Path,
    commit: str,
    torch: str | None = None,
    binder: Path | None = ROOT / "binder",
    source: str | None = None,
) -> list[Path]:
    """Write each notebook, setup cell first, to ``out/book/``, and ``binder`` to ``out/binder``.

    Returns the notebooks written.
    """
    torch = torch or torch_requirement()
    cell = setup_cell(commit, torch, source)
    written = []
    (out / "book").mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(p) for p in notebooks):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        target = out / "book" / path.name
        text = json.dumps(with_setup_cell(notebook, cell), indent=1, ensure_ascii=False)
        target.write_text(text + "\n", encoding="utf-8")
        written.append(target)
    if binder is not None:
        target = out / "binder"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(binder, target)
        requirements = target / "requirements.txt"
        if requirements.is_file():
            package = package_requirement(commit, source)
            lines = requirements.read_text(encoding="utf-8").splitlines(keepends=True)
            published = "".join(published_binder_line(line, package) for line in lines)
            requirements.write_text(published, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="executed chapters (.ipynb)")
    parser.add_argument("--out", type=Path, required=True, help="the notebooks branch's tree")
    parser.add_argument("--commit", help="the commit the chapters were executed at (HEAD)")
    parser.add_argument("--binder", type=Path, default=ROOT / "binder")
    args = parser.parse_args(argv)
    commit = (
        args.commit
        or subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    written = publish(args.notebooks, args.out, commit, binder=args.binder)
    print(f"{len(written)} notebooks and binder/ at {commit} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
