"""The rendered book, opened page by page in headless Chromium.

For every page of ``_build/html`` (see ``conftest.html_pages`` for the two template files
left out) this checks, as a reader's browser sees it, with no internet:

* no uncaught JavaScript exception and no console error (one upstream error is tolerated,
  narrowly: see ``TOLERATED_PAGE_ERRORS``);
* every math node Sphinx emitted is typeset by MathJax 3, with no MathJax error, no undefined
  macro and no raw TeX delimiters left in the text;
* every image loads;
* in dark mode (the theme following the reader's ``prefers-color-scheme: dark``) the page is
  dark and every figure still sits on a light background;
* no internal link or ``#anchor`` is broken (one assertion for the whole site).

A full-page screenshot of each page, light and dark, is written to ``_build/screenshots``.
Run with ``pytest -m browser`` after building the book.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .conftest import HTML, html_pages, route_offline

pytestmark = pytest.mark.browser

PAGES = html_pages()
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000

# Uncaught exceptions of upstream scripts that are tolerated, each matched exactly and only
# on a page whose HTML shows the stated cause.
#
# Every page's <head> holds sphinx-thebe's inline configuration script,
# `const THEBE_JS_URL = "..."; const thebe_selector = ...`, twice. sphinx-thebe 0.3.1 (which
# Jupyter Book 1 always loads) adds it with `app.add_js_file(None, body=...)` while the docs
# are read; Sphinx 7.4 hands it to the HTML builder at once as a script named None, and its
# `prepare_writing` adds the registry's copy again as a script named '', which its duplicate
# check does not recognise. Re-declaring a `const` in a second classic script is a
# SyntaxError, so the second copy never runs. Nothing is lost: the first copy has defined the
# same constants, and this book has no live-code (thebe) button that uses them. (The same
# happens to sphinx-togglebutton's `var togglebuttonSelector`, silently: `var` may repeat.)
TOLERATED_PAGE_ERRORS = {
    "Identifier 'THEBE_JS_URL' has already been declared": re.compile(
        r"const THEBE_JS_URL = [^<]*</script>(?s:.*?)const THEBE_JS_URL = "
    ),
}

REDIRECT = re.compile(
    r"""<meta\s+http-equiv=["']refresh["']\s+content=["']\d+;\s*url=([^"']+)["']""", re.I
)

WAIT_FOR_MATHJAX = """async () => {
  if (!window.MathJax) return "no MathJax configured on this page";
  const deadline = Date.now() + 20000;
  while (!(MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() > deadline) return "MathJax never started (was the script served?)";
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await MathJax.startup.promise;
  await document.fonts.ready;
  return "typeset";
}"""

INSPECT_MATH = """() => {
  const rawTex = /\\$\\$|\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\\\begin\\{/;
  const clip = (text) => text.replace(/\\s+/g, " ").trim().slice(0, 90);
  const nodes = [...document.querySelectorAll("span.math, div.math")];
  const untypeset = nodes
    .filter((n) => !n.querySelector("mjx-container"))
    .map((n) => clip(n.textContent));
  const rawInMath = nodes.filter((n) => {
    const copy = n.cloneNode(true);
    copy.querySelectorAll("mjx-container, .eqno, .headerlink").forEach((e) => e.remove());
    return rawTex.test(copy.textContent);
  }).map((n) => clip(n.textContent));
  // TeX delimiters in the prose outside math and code: math that never became a math node.
  const article = document.querySelector("article") || document.body;
  const skip = "pre, code, script, style, textarea, mjx-container, .math, .highlight";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const rawInProse = [];
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (rawTex.test(t.data) && !t.parentElement.closest(skip)) rawInProse.push(clip(t.data));
  }
  const result = {
    nodes: nodes.length,
    containers: document.querySelectorAll("mjx-container").length,
    containersInNodes: nodes.filter((n) => n.querySelector("mjx-container")).length,
    merrors: [...document.querySelectorAll("mjx-merror, merror")].map((e) => clip(e.textContent)),
    untypeset, rawInMath, rawInProse, badMath: [], typesetItems: null,
  };
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    // MathJax's own record: an merror node, or a macro it did not know (the noundefined
    // package typesets those in red instead of raising an error).
    const items = [...MathJax.startup.document.math];
    result.typesetItems = items.length;
    for (const item of items) {
      const mml = MathJax.startup.toMML(item.root);
      if (/<merror|mathcolor="red"/.test(mml)) result.badMath.push(clip(item.math));
    }
  }
  return result;
}"""

LOAD_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  const height = document.documentElement.scrollHeight;
  for (let y = 0; y < height; y += window.innerHeight) {
    window.scrollTo(0, y);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  window.scrollTo(0, 0);
  await Promise.all(images.map((img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve, { once: true });
    img.addEventListener("error", resolve, { once: true });
    setTimeout(resolve, 15000);
  })));
  return images.map((img) => ({
    src: img.getAttribute("src"),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
  }));
}"""

LINKS = """() => [...document.querySelectorAll("a[href]")].map((a) => ({
  href: a.getAttribute("href"), url: a.href,
}))"""

# What a reader in dark mode sees behind each figure: the image's own corner pixels (a PNG
# that carries an opaque light background is legible anywhere) and the computed background
# colour behind it (the image's own, else its nearest ancestor's with one).
DARK_FIGURES = """() => {
  const luminance = (r, g, b) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  const parse = (colour) => {
    const m = colour.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { luminance: luminance(r, g, b), alpha: a };
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      const parsed = parse(colour);
      if (parsed && parsed.alpha > 0) {
        const from = e === el ? "img" : e.tagName.toLowerCase();
        return { colour, luminance: parsed.luminance, from };
      }
    }
    return { colour: "none", luminance: null, from: null };
  };
  const corners = (img) => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const w = canvas.width - 1, h = canvas.height - 1;
    return [[0, 0], [w, 0], [0, h], [w, h]].map(([x, y]) => [...ctx.getImageData(x, y, 1, 1).data]);
  };
  const page = parse(getComputedStyle(document.body).backgroundColor);
  const images = [...document.querySelectorAll("article img")]
    .filter((img) => img.naturalWidth > 0);
  return {
    theme: document.documentElement.dataset.theme,
    pageLuminance: page ? page.luminance : null,
    images: images.map((img) => {
      const px = corners(img);
      return {
        src: img.getAttribute("src"),
        opaqueLightCorners: px.every(([r, g, b, a]) => a === 255 && luminance(r, g, b) > 0.7),
        transparentCorners: px.some(([, , , a]) => a < 255),
        background: background(img),
      };
    }),
  };
}"""


@dataclass
class PageReport:
    page: str
    url: str
    final_url: str = ""
    redirect_to: str | None = None
    page_errors: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    mathjax: str = ""
    math: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    dark: dict = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)


def screenshot_name(page: str) -> str:
    """``book/intro.html`` -> ``book-intro``."""
    return page.removesuffix(".html").replace("/", "-")


def served_html(site: str, url: str) -> str:
    """The HTML file behind ``url`` (a page of the site), or "" when there is none."""
    if not url.startswith(site):
        return ""
    path = HTML / unquote(urlsplit(url).path.lstrip("/"))
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def inspect_page(browser, site: str, mathjax: Path, shots: Path, page: str) -> PageReport:
    """Open ``page`` once, light then dark, and record everything the tests assert on."""
    source = (HTML / page).read_text(encoding="utf-8")
    report = PageReport(page=page, url=site + page)
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.set_default_timeout(TIMEOUT_MS)
    route_offline(context, site, mathjax, report.blocked)
    tab = context.new_page()

    def on_page_error(error) -> None:
        pattern = TOLERATED_PAGE_ERRORS.get(error.message)
        if pattern is not None and pattern.search(served_html(site, tab.url)):
            report.tolerated.append(f"{error.name}: {error.message}")
        else:
            report.page_errors.append(f"{error.name}: {error.message}")

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            report.console_errors.append(f"{message.text} ({where})" if where else message.text)

    tab.on("pageerror", on_page_error)
    tab.on("console", on_console)
    try:
        redirect = REDIRECT.search(source)
        if redirect:
            # A meta-refresh stub (the root index.html): it must land on a page of the book,
            # which is checked on its own.
            report.redirect_to = redirect.group(1)
            expected = urljoin(report.url, report.redirect_to)
            tab.goto(report.url, wait_until="commit")
            tab.wait_for_url(expected)
            tab.wait_for_load_state("load")
            report.final_url = tab.url
            report.links = [{"href": report.redirect_to, "url": expected}]
            return report

        tab.goto(report.url, wait_until="load")
        report.final_url = tab.url
        report.mathjax = tab.evaluate(WAIT_FOR_MATHJAX)
        report.math = tab.evaluate(INSPECT_MATH)
        report.images = tab.evaluate(LOAD_IMAGES)
        report.links = tab.evaluate(LINKS)
        light = shots / f"{screenshot_name(page)}.png"
        tab.screenshot(path=str(light), full_page=True)

        # Dark mode as a reader gets it: the theme is in "auto" mode and follows the
        # browser's colour scheme.
        tab.emulate_media(color_scheme="dark")
        tab.wait_for_function("document.documentElement.dataset.theme === 'dark'")
        report.dark = tab.evaluate(DARK_FIGURES)
        dark = shots / f"{screenshot_name(page)}-dark.png"
        tab.screenshot(path=str(dark), full_page=True)
        report.screenshots = [light, dark]
        return report
    finally:
        context.close()


@pytest.fixture(scope="module")
def reports(browser, site, mathjax_dir, screenshots):
    """Page reports, each page opened once however many tests look at it."""
    cache: dict[str, PageReport] = {}

    def get(page: str) -> PageReport:
        if page not in cache:
            cache[page] = inspect_page(browser, site, mathjax_dir, screenshots, page)
        return cache[page]

    return get


def is_redirect(page: str) -> bool:
    return REDIRECT.search((HTML / page).read_text(encoding="utf-8")) is not None


# The meta-refresh stubs (the root index.html) are opened for errors and for where they
# lead; the content checks run on the pages they lead to.
CONTENT_PAGES = [page for page in PAGES if not is_redirect(page)]


def params(pages: list[str]) -> list:
    return pages or [pytest.param(None, id="book-not-built")]


@pytest.fixture(params=params(PAGES))
def report(request, built_html, reports) -> PageReport:
    return reports(request.param)


@pytest.fixture(params=params(CONTENT_PAGES))
def page(request, built_html, reports) -> PageReport:
    return reports(request.param)


def listing(items) -> str:
    return "\n  " + "\n  ".join(str(item) for item in items)


def test_no_page_errors(report: PageReport):
    problems = [f"uncaught exception: {e}" for e in report.page_errors]
    problems += [f"console error: {e}" for e in report.console_errors]
    problems += [f"request to the internet (blocked): {url}" for url in report.blocked]
    assert not problems, f"{report.page}:{listing(problems)}"


def test_math_typesets(page: PageReport):
    math = page.math
    problems = []
    if math["nodes"] and page.mathjax != "typeset":
        problems.append(f"{math['nodes']} math nodes but MathJax did not run: {page.mathjax}")
    problems += [f"not typeset: {text}" for text in math["untypeset"]]
    problems += [f"MathJax error: {text}" for text in dict.fromkeys(math["merrors"])]
    problems += [f"undefined macro or TeX error: {text}" for text in math["badMath"]]
    problems += [f"raw TeX left in a math node: {text}" for text in math["rawInMath"]]
    problems += [f"raw TeX delimiters in the prose: {text}" for text in math["rawInProse"]]
    if math["containers"] != math["nodes"]:
        problems.append(
            f"{math['containers']} typeset formulas (mjx-container) for {math['nodes']} math "
            f"nodes (span.math, div.math), {math['containersInNodes']} of them typeset"
        )
    assert not problems, f"{page.page}:{listing(problems)}"


def test_images_load(page: PageReport):
    broken = [
        f"{image['src']} (complete={image['complete']}, naturalWidth={image['naturalWidth']})"
        for image in page.images
        if not (image["complete"] and image["naturalWidth"] > 0)
    ]
    assert not broken, f"{page.page}: images that did not load:{listing(broken)}"


def test_dark_mode_keeps_figures_legible(page: PageReport):
    dark = page.dark
    assert dark["theme"] == "dark"
    assert dark["pageLuminance"] is not None and dark["pageLuminance"] < 0.3, (
        f"{page.page}: the page background is not dark in dark mode ({dark})"
    )
    unreadable = [
        f"{image['src']}: transparent, on {image['background']['colour']} "
        f"(from {image['background']['from']})"
        for image in dark["images"]
        if image["transparentCorners"] and not (image["background"]["luminance"] or 0) >= 0.6
    ]
    unreadable += [
        f"{image['src']}: neither an opaque light background nor a light background behind it "
        f"({image['background']['colour']})"
        for image in dark["images"]
        if not image["transparentCorners"]
        and not image["opaqueLightCorners"]
        and not (image["background"]["luminance"] or 0) >= 0.6
    ]
    assert not unreadable, f"{page.page}: figures unreadable in dark mode:{listing(unreadable)}"
    for shot in page.screenshots:
        assert shot.is_file() and shot.stat().st_size > 0, f"no screenshot at {shot}"


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


def test_no_broken_internal_links(built_html, site, reports):
    """Every link inside the site reaches a page (HTTP 200) and every #fragment an element id.

    One assertion lists every broken link of the whole book.
    """
    fetched: dict[str, tuple[int, set[str] | None]] = {}

    def fetch(path: str) -> tuple[int, set[str] | None]:
        if path not in fetched:
            try:
                with urllib.request.urlopen(site.rstrip("/") + path, timeout=30) as response:
                    body = response.read()
                    status = response.status
                    is_html = "html" in response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                fetched[path] = (error.code, None)
                return fetched[path]
            ids = None
            if is_html:
                parser = _Anchors()
                parser.feed(body.decode("utf-8", errors="replace"))
                ids = parser.ids
            fetched[path] = (status, ids)
        return fetched[path]

    broken: list[str] = []
    checked = 0
    for page in PAGES:
        for link in reports(page).links:
            url = link["url"]
            if not url.startswith(site):
                continue  # external, mailto:, javascript:
            checked += 1
            parts = urlsplit(url)
            path = parts.path + ("index.html" if parts.path.endswith("/") else "")
            status, ids = fetch(path)
            if status != 200:
                broken.append(f"{page}: {link['href']} -> HTTP {status}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and ids is not None and fragment not in ids:
                broken.append(f"{page}: {link['href']} -> no element with id {fragment!r}")
    assert checked > 0, "no internal links found: is the book built?"
    assert not broken, f"{len(broken)} broken internal links:{listing(sorted(set(broken)))}"
