"""Fixtures for the browser check of the rendered book (``pytest -m browser``).

The built HTML in ``_build/html`` is served on 127.0.0.1 by a Python ``http.server`` in a
thread, and each page is opened in headless Chromium (Debian's ``chromium``) driven by
Playwright. The machine has no internet, so the one remote asset the pages load, MathJax 3
from a CDN, is installed once from the npm registry into ``_build/browser-cache`` and served
to the browser by request interception; every other remote request is blocked.

Everything here skips, with the reason, when a prerequisite is missing (the book is not
built, Chromium, Playwright or npm is absent), so that a plain ``pytest`` in a fresh clone
passes. With ``GANLIB_REQUIRE_BROWSER=1`` (as CI sets it) the same reasons fail instead.
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CACHE = ROOT / "_build" / "browser-cache"
BUILD_COMMAND = "jupyter-book build . -W -n --keep-going --all"

# The MathJax the pages ask for (Sphinx's default mathjax_path), and the npm package served
# in its place.
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX_NPM = "mathjax@3"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """``$GANLIB_CHROMIUM``, else Debian's /usr/bin/chromium, else ``chromium`` on PATH."""
    for candidate in (os.environ.get("GANLIB_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def require(reason: str) -> None:
    """Skip with ``reason``, or fail with it where CI demands the browser check."""
    if os.environ.get("GANLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GANLIB_REQUIRE_BROWSER=1 but the browser check cannot run: {reason}")
    pytest.skip(reason)


def html_pages() -> list[str]:
    """Every page of the built book, as paths relative to ``_build/html``.

    Left out: the Jinja macro files that pydata-sphinx-theme and sphinx-book-theme copy into
    ``_static/`` (``webpack-macros.html``, ``sbt-webpack-macros.html``). They are template
    fragments, not pages, and nothing links to them. genindex.html and search.html are kept:
    both work offline (the search index is a local script).
    """
    if not (HTML / "index.html").is_file():
        return []
    pages = (path.relative_to(HTML).as_posix() for path in HTML.rglob("*.html"))
    return sorted(page for page in pages if not page.startswith(("_static/", "_sources/")))


@pytest.fixture(scope="session")
def built_html() -> Path:
    if not html_pages():
        require(
            f"the book is not built (no {HTML.relative_to(ROOT)}): build the book first: "
            f"{BUILD_COMMAND}"
        )
    return HTML


@pytest.fixture(scope="session")
def mathjax_dir() -> Path:
    """The ``mathjax`` npm package's directory, installed once into ``_build/browser-cache``.

    ``$GANLIB_MATHJAX_DIR`` may point to an existing copy instead (the folder that holds
    ``es5/tex-mml-chtml.js``).
    """
    override = os.environ.get("GANLIB_MATHJAX_DIR")
    if override:
        if not (Path(override) / "es5" / "tex-mml-chtml.js").is_file():
            require(f"GANLIB_MATHJAX_DIR={override} holds no es5/tex-mml-chtml.js")
        return Path(override)
    package = CACHE / "node_modules" / "mathjax"
    if not (package / "es5" / "tex-mml-chtml.js").is_file():
        npm = shutil.which("npm")
        if npm is None:
            require(
                "npm is not installed, so MathJax cannot be served locally "
                "(install Node.js and npm, or set GANLIB_MATHJAX_DIR)"
            )
        CACHE.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(CACHE),
                "--no-audit",
                "--no-fund",
                "--silent",
                MATHJAX_NPM,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0 or not (package / "es5" / "tex-mml-chtml.js").is_file():
            require(f"`npm install {MATHJAX_NPM}` failed: {result.stderr.strip()[-500:]}")
    return package


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site(built_html: Path) -> Iterator[str]:
    """The base URL of ``_build/html`` served on 127.0.0.1 at an ephemeral port."""
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(built_html: Path):
    """Headless Debian Chromium driven by Playwright (it never downloads a browser)."""
    executable = chromium_path()
    if executable is None:
        require("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots(built_html: Path) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def route_offline(context, site: str, mathjax: Path, blocked: list[str]) -> None:
    """Serve the local site as is, MathJax's CDN from ``mathjax``, and block everything else.

    Blocked URLs are recorded in ``blocked``: a page that needs the internet is a finding.
    """
    root = mathjax.resolve()

    def handle(route):
        url = route.request.url
        if url.startswith(site):
            route.continue_()
        elif url.startswith(MATHJAX_CDN):
            relative = url[len(MATHJAX_CDN) :].split("?", 1)[0].split("#", 1)[0]
            target = (root / relative).resolve()
            if target.is_file() and target.is_relative_to(root):
                content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if target.suffix == ".woff":
                    content_type = "font/woff"
                route.fulfill(
                    status=200,
                    path=str(target),
                    headers={
                        "Content-Type": content_type,
                        "Access-Control-Allow-Origin": "*",
                    },
                )
            else:
                blocked.append(url)
                route.fulfill(status=404, body=f"not in the local mathjax package: {relative}")
        elif url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)
