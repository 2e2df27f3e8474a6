"""Browser fixtures: the local stack in its own process, driven by Playwright in Debian's headless chromium.

Playwright's own browser download is not reachable from CI, so `make browser` installs Debian's
`chromium` and the tests launch it by path. Every test can ask for `shoot(page, name)` to write a
screenshot of the page as it stands to tests/artifacts/screenshots/<name>-<viewport>.png.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.stack import RunningStack, running_local_stack

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
VIEWPORTS: dict[str, dict[str, int]] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does it for you)")
    launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """One local stack per test module, as `make dev` runs it."""
    with running_local_stack(tmp_path_factory.mktemp("browser") / "stack.log") as running:
        yield running


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Runs a test once at phone size and once at desktop size."""
    return request.param


def open_context(browser: Browser, viewport: str) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser, viewport: str) -> Iterator[Page]:
    """A fresh page (no cookies, no storage) that fails the test on any console error or page crash."""
    context = open_context(browser, viewport)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        yield opened
    finally:
        context.close()
    expected_http = [e for e in errors if re.search(r"status of (4\d\d)", e)]
    unexpected = [e for e in errors if e not in expected_http]
    assert not unexpected, f"the page logged errors: {unexpected}"


# The elements that stick out past the right edge of the window, deepest first, for the overflow check.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
        .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
        .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 1))
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`
            + ` right=${Math.round(e.getBoundingClientRect().right)}`);
}"""


# What a person with a screen reader or low vision would trip over on the page as it stands: visible form
# controls without an accessible name, and visible text below WCAG AA contrast against its background.
ACCESSIBILITY_PROBLEMS = r"""() => {
    const problems = [];
    const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
        && !e.closest('[aria-hidden="true"]');
    for (const c of document.querySelectorAll('input, select, textarea, button')) {
        if (!visible(c) || c.type === 'hidden') continue;
        const named = (c.labels && c.labels.length) || c.getAttribute('aria-label')
            || c.getAttribute('aria-labelledby') || (c.tagName === 'BUTTON' && c.textContent.trim());
        if (!named) problems.push(`no label: ${c.tagName.toLowerCase()}#${c.id}[name=${c.name}]`);
    }
    const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (e) => {
        for (let n = e; n; n = n.parentElement) {
            const c = rgb(getComputedStyle(n).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] >= 0.99)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const focused = document.activeElement;
    if (focused && focused !== document.body && getComputedStyle(focused).outlineStyle !== 'none') {
        const ring = rgb(getComputedStyle(focused).outlineColor).slice(0, 3);
        const [a, b] = [luminance(ring), luminance(background(focused.parentElement || focused))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const what = `${focused.tagName.toLowerCase()}#${focused.id}`;
        if (ratio < 3) problems.push(`focus ring contrast ${ratio.toFixed(2)} on ${what}`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    while (walker.nextNode()) {
        const e = walker.currentNode.parentElement;
        if (!walker.currentNode.textContent.trim() || seen.has(e) || !visible(e)) continue;
        seen.add(e);
        const style = getComputedStyle(e);
        if (e.closest('.visually-hidden, .trap, option, canvas') || e.disabled) continue;
        const fg = rgb(style.color);
        if (fg.length === 4 && fg[3] < 0.99) continue;
        const [a, b] = [luminance(fg.slice(0, 3)), luminance(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) {
            const text = e.textContent.trim().slice(0, 40);
            problems.push(`contrast ${ratio.toFixed(2)}: "${text}" (${style.color} on ${background(e)})`);
        }
    }
    return problems;
}"""


@pytest.fixture
def shoot(viewport: str) -> Callable[[Page, str], Path]:
    """Screenshot the whole page, after checking it fits the window's width (no sideways scrolling), every
    visible control has a label and every visible text has AA contrast, and the focus ring stands out (3:1)."""

    def screenshot(page: Page, name: str) -> Path:
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"{name} scrolls sideways by {wide} px at {viewport} size: {page.evaluate(OVERFLOWING)}"
        problems = page.evaluate(ACCESSIBILITY_PROBLEMS)
        assert not problems, f"{name} at {viewport} size: {problems}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot
