"""Every chapter runs in Colab and Binder: its buttons, its published notebook, its setup cell.

The Pages workflow publishes the executed chapters to the ``notebooks`` branch with
``tools/publish_notebooks.py``, and ``_ext/launch_buttons.py`` links each chapter page to its
notebook there. Checked offline:

- every chapter page of the built book (``_build/html``, or ``$GANLIB_BOOK_HTML``) has a
  Colab and a Binder link to its published notebook; these skip when the book is not built,
  and fail instead with ``GANLIB_REQUIRE_BROWSER=1``, as tests/browser does;
- the publishing script, run on every chapter (made a notebook with jupytext), heads each
  with the setup cell and leaves the chapter's own cells as they were;
- the setup cell, run as a script: with this environment's python (``ganlib`` and
  ``myst_nb`` import) it never calls pip; with ``python -S`` (no site-packages: neither
  imports) it calls pip for the CPU build of torch when torch is missing or too old and no
  NVIDIA GPU is visible, then for the package. pip is a stub on ``PYTHONPATH`` that records
  its arguments; torch's installed version is a stub ``.dist-info``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import launch_buttons  # noqa: E402
import publish_notebooks  # noqa: E402

HTML = Path(os.environ.get("GANLIB_BOOK_HTML", ROOT / "_build" / "html"))
BUILD_COMMAND = "jupyter-book build . -W -n --keep-going --all"
REPOSITORY = "https://github.com/gans-from-first-principles/book"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]


def is_notebook(doc: str) -> bool:
    """A MyST notebook: its front matter names a kernel (the others are plain pages)."""
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    front = text.split("---", 2)[1] if text.startswith("---") else ""
    return "kernelspec" in (yaml.safe_load(front) or {})


CHAPTERS = [doc for doc in toc_files() if is_notebook(doc)]
PAGES = [doc for doc in toc_files() if not is_notebook(doc)]


def test_the_chapters_are_found():
    assert "book/intro" in CHAPTERS and "book/training" in CHAPTERS
    assert "book/notation" in PAGES


def test_the_published_urls():
    path = "book/training.ipynb"
    assert launch_buttons.colab_url(REPOSITORY, path) == (
        "https://colab.research.google.com/github/gans-from-first-principles/book"
        "/blob/notebooks/book/training.ipynb"
    )
    assert launch_buttons.binder_url(REPOSITORY, path) == (
        "https://mybinder.org/v2/gh/gans-from-first-principles/book/notebooks"
        "?labpath=book/training.ipynb"
    )
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == REPOSITORY
    assert config["sphinx"]["local_extensions"]["launch_buttons"] == "_ext/"


# --- the built book ------------------------------------------------------------------------


def built_page(doc: str) -> str:
    if not (HTML / "index.html").is_file():
        reason = f"the book is not built (no {HTML}/index.html): {BUILD_COMMAND}"
        if os.environ.get("GANLIB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GANLIB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    page = HTML / f"{doc}.html"
    if not page.is_file():
        pytest.fail(f"{page} is missing: the built book predates _toc.yml; {BUILD_COMMAND}")
    return page.read_text(encoding="utf-8")


def hrefs(page: str) -> set[str]:
    return {
        href.replace("&amp;", "&")
        for href in re.findall(r"""<a\s[^>]*?href=["']([^"']+)["']""", page, re.S)
    }


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_chapter_page_links_colab_and_binder(doc):
    links = hrefs(built_page(doc))
    notebook = f"{doc}.ipynb"
    assert launch_buttons.colab_url(REPOSITORY, notebook) in links
    assert launch_buttons.binder_url(REPOSITORY, notebook) in links
    # No launch link to the Markdown source, which Colab cannot open.
    assert not [link for link in links if "colab.research" in link and link.endswith(".md")]


@pytest.mark.parametrize("doc", PAGES)
def test_plain_pages_have_no_launch_links(doc):
    links = hrefs(built_page(doc))
    assert not [link for link in links if link.startswith(("https://colab.", "https://mybinder"))]


# --- the published notebooks ---------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """Every chapter, made a notebook by jupytext, through the publishing script's CLI."""
    executed = tmp_path_factory.mktemp("jupyter_execute")
    for doc in CHAPTERS:
        notebook = jupytext.read(ROOT / f"{doc}.md")
        jupytext.write(notebook, executed / f"{Path(doc).name}.ipynb")
    out = tmp_path_factory.mktemp("notebooks")
    script = ROOT / "tools" / "publish_notebooks.py"
    notebooks = sorted(str(path) for path in executed.glob("*.ipynb"))
    command = [sys.executable, str(script), "--commit", COMMIT, "--out", str(out), *notebooks]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)
    return out


def test_the_torch_requirement_is_the_projects():
    requirement = publish_notebooks.torch_requirement()
    assert requirement == "torch>=2.13"
    assert publish_notebooks.lower_bound(requirement) == (2, 13)


@pytest.mark.parametrize("doc", CHAPTERS)
def test_every_published_notebook_begins_with_the_setup_cell(published, doc):
    notebook = json.loads((published / f"{doc}.ipynb").read_text(encoding="utf-8"))
    first, *rest = notebook["cells"]
    assert first["cell_type"] == "code" and first["id"] == publish_notebooks.SETUP_CELL_ID
    expected = publish_notebooks.setup_cell_source(COMMIT, publish_notebooks.torch_requirement())
    assert "".join(first["source"]) == expected
    assert f"git+{REPOSITORY}@{COMMIT}" in expected
    chapter = jupytext.read(ROOT / f"{doc}.md")
    assert ["".join(cell["source"]) for cell in rest] == [cell.source for cell in chapter.cells]
    assert notebook["nbformat"] == 4 and notebook["nbformat_minor"] >= 5


def test_publishing_twice_keeps_one_setup_cell(published, tmp_path):
    source = published / "book" / "intro.ipynb"
    publish_notebooks.publish([source], tmp_path, COMMIT, binder=None)
    cells = json.loads((tmp_path / "book" / "intro.ipynb").read_text(encoding="utf-8"))["cells"]
    ids = [cell.get("id") for cell in cells]
    assert ids.count(publish_notebooks.SETUP_CELL_ID) == 1
    assert ids[0] == publish_notebooks.SETUP_CELL_ID


def requirement_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_binder_installs_cpu_torch_then_the_project():
    lines = requirement_lines(ROOT / "binder" / "requirements.txt")
    assert lines == [f"--extra-index-url {CPU_INDEX}", "torch==2.13.0+cpu", "-e .[book]"]
    pin = tuple(int(part) for part in re.findall(r"\d+", lines[1].split("==")[1])[:2])
    assert pin >= publish_notebooks.lower_bound(publish_notebooks.torch_requirement())
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert runtime == "python-3.11" and 'requires-python = ">=3.11"' in project


def test_the_published_binder_installs_the_package_at_the_commit(published):
    lines = requirement_lines(published / "binder" / "requirements.txt")
    assert lines == [
        f"--extra-index-url {CPU_INDEX}",
        "torch==2.13.0+cpu",
        f"ganlib[book] @ git+{REPOSITORY}@{COMMIT}",
    ]
    assert (published / "binder" / "runtime.txt").is_file()


# --- the setup cell, run -------------------------------------------------------------------

FAKE_PIP = """\
import json, os, sys
with open(os.environ["FAKE_PIP_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def run_cell(tmp_path: Path, *, isolated: bool, torch: str | None = None, gpu: bool = False):
    """Run the setup cell (its package from this checkout) and return pip's calls."""
    stubs = tmp_path / "stubs"
    (stubs / "pip").mkdir(parents=True)
    (stubs / "pip" / "__init__.py").write_text("", encoding="utf-8")
    (stubs / "pip" / "__main__.py").write_text(FAKE_PIP, encoding="utf-8")
    if torch is not None:
        info = stubs / f"torch-{torch}.dist-info"
        info.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: torch\nVersion: {torch}\n"
        (info / "METADATA").write_text(metadata, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if gpu:
        nvidia_smi = bin_dir / "nvidia-smi"
        nvidia_smi.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        nvidia_smi.chmod(0o755)
    cell = tmp_path / "setup_cell.py"
    source = f"file://{ROOT}"
    cell.write_text(
        publish_notebooks.setup_cell_source(COMMIT, "torch>=2.13", source), encoding="utf-8"
    )
    log = tmp_path / "pip.log"
    env = {
        "PATH": str(bin_dir),
        "PYTHONPATH": str(stubs),
        "FAKE_PIP_LOG": str(log),
        "HOME": str(tmp_path),
    }
    flags = ["-S"] if isolated else []
    subprocess.run(
        [sys.executable, *flags, str(cell)], cwd=tmp_path, env=env, check=True, timeout=60
    )
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


PACKAGE = f"ganlib[book] @ file://{ROOT}"
CPU_TORCH = ["install", "torch>=2.13", "--index-url", CPU_INDEX]


def test_the_setup_cell_does_nothing_where_ganlib_is_installed(tmp_path):
    assert run_cell(tmp_path, isolated=False) == []


def test_without_ganlib_or_torch_it_installs_cpu_torch_then_the_package(tmp_path):
    assert run_cell(tmp_path, isolated=True) == [CPU_TORCH, ["install", PACKAGE]]


def test_an_older_torch_than_the_bound_is_replaced_by_the_cpu_build(tmp_path):
    assert run_cell(tmp_path, isolated=True, torch="2.1.0") == [CPU_TORCH, ["install", PACKAGE]]


def test_a_torch_that_meets_the_bound_is_kept(tmp_path):
    assert run_cell(tmp_path, isolated=True, torch="2.13.0+cpu") == [["install", PACKAGE]]


def test_with_an_nvidia_gpu_pip_chooses_torch(tmp_path):
    assert run_cell(tmp_path, isolated=True, gpu=True) == [["install", PACKAGE]]
