"""Colab and Binder buttons in the header of every chapter, opening its executed notebook.

The chapters are MyST Markdown notebooks; Colab opens only ``.ipynb`` files, and the
theme's own launch buttons would link the ``.md`` source. The book's Pages workflow
(``.github/workflows/book.yml``) therefore publishes each executed chapter, headed by a cell
that installs ``ganlib`` where it is missing (``tools/publish_notebooks.py``), to the
``notebooks`` branch of the repository as ``book/<chapter>.ipynb``, together with the
``binder/`` environment. This extension adds a "launch" menu to the header of every chapter
page, with one link to that notebook in Colab and one to it in Binder (JupyterLab):

- ``https://colab.research.google.com/github/<owner>/<repo>/blob/notebooks/<page>.ipynb``
- ``https://mybinder.org/v2/gh/<owner>/<repo>/notebooks?labpath=<page>.ipynb``

A chapter is a page that myst-nb executed (its notebook is in ``_build/jupyter_execute``),
as in ``notebook_download``. The repository is ``_config.yml``'s ``repository: url``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx

REPOSITORY = "https://github.com/gans-from-first-principles/book"
"""The repository when the configuration names none (``repository: url`` in _config.yml)."""

BRANCH = "notebooks"
"""The branch that holds the published notebooks and their ``binder/`` environment."""

COLAB = "https://colab.research.google.com"
BINDER = "https://mybinder.org"


def repository_parts(url: str) -> tuple[str, str]:
    """``(owner, name)`` of a GitHub repository URL.

    >>> repository_parts("https://github.com/gans-from-first-principles/book.git")
    ('gans-from-first-principles', 'book')
    """
    _, sep, tail = url.strip().rstrip("/").partition("github.com/")
    parts = tail.removesuffix(".git").split("/")
    if not sep or len(parts) < 2 or not all(parts[:2]):
        raise ValueError(f"not a GitHub repository URL: {url!r}")
    return parts[0], parts[1]


def colab_url(repository: str, path: str, branch: str = BRANCH) -> str:
    """The Colab link that opens ``path`` (a notebook) from ``branch`` of ``repository``.

    >>> colab_url(REPOSITORY, "book/training.ipynb")
    'https://colab.research.google.com/github/gans-from-first-principles/book/blob/notebooks/book/training.ipynb'
    """
    owner, name = repository_parts(repository)
    return f"{COLAB}/github/{owner}/{name}/blob/{quote(branch)}/{quote(path)}"


def binder_url(repository: str, path: str, branch: str = BRANCH) -> str:
    """The mybinder.org link that opens ``path`` in JupyterLab, built from ``branch``.

    >>> binder_url(REPOSITORY, "book/training.ipynb")
    'https://mybinder.org/v2/gh/gans-from-first-principles/book/notebooks?labpath=book/training.ipynb'
    """
    owner, name = repository_parts(repository)
    return f"{BINDER}/v2/gh/{owner}/{name}/{quote(branch, safe='')}?labpath={quote(path)}"


def add_launch_buttons(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if doctree is None or "header_buttons" not in context:
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():  # a plain Markdown page, not a chapter
        return
    repository = app.config.html_theme_options.get("repository_url") or REPOSITORY
    path = f"{pagename}.ipynb"
    buttons = [
        {
            "type": "link",
            "text": "Colab",
            "tooltip": "Run this chapter in Google Colab",
            "icon": "_static/images/logo_colab.png",
            "url": colab_url(repository, path),
            "label": "launch-colab-button",
        },
        {
            "type": "link",
            "text": "Binder",
            "tooltip": "Run this chapter on mybinder.org",
            "icon": "_static/images/logo_binder.svg",
            "url": binder_url(repository, path),
            "label": "launch-binder-button",
        },
    ]
    # First in the header, where the theme puts its own launch menu.
    context["header_buttons"].insert(
        0,
        {
            "type": "group",
            "tooltip": "Run this chapter",
            "icon": "fas fa-rocket",
            "buttons": buttons,
            "label": "launch-buttons",
        },
    )


def setup(app: Sphinx):
    # After the theme has prepared ``header_buttons`` (priority 500) and added its own (501).
    app.connect("html-page-context", add_launch_buttons, priority=502)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
