"""Browser tests: the system Chromium driven by Playwright against the live server.

Every test here is marked `browser`. Contexts: `phone` (390x844, touch, geolocation at Boden
Centrum) and `desktop` (1280x900, same position). Both bypass the CSP so axe can be injected;
`csp_phone` keeps the CSP on to catch violations. Helpers: `check_accessibility` (axe-core,
WCAG 2.x A/AA) and `shot` (full-page screenshot into tests/browser/screenshots/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

HERE = Path(__file__).parent
AXE = HERE / "vendor" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
CENTRUM = {"latitude": 65.8253, "longitude": 21.6880, "accuracy": 12}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "geolocation": CENTRUM,
    "permissions": ["geolocation"],
    "locale": "en-GB",
    "bypass_csp": True,
}
DESKTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 900},
    "geolocation": CENTRUM,
    "permissions": ["geolocation"],
    "locale": "en-GB",
    "bypass_csp": True,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-playwright 0.10's fallback `base_url`: that one is a session fixture
    written as an instance method, which pytest 9 warns about (an error under our filter).
    Pages here are opened with `live_server.url`."""
    return None


class PageErrors:
    """Uncaught script errors and console errors of every page in a context."""

    def __init__(self, context: BrowserContext) -> None:
        self.messages: list[str] = []
        self.allowed: list[str] = []
        context.on("weberror", lambda err: self.messages.append(f"uncaught: {err.error}"))
        context.on("console", self._console)

    def allow(self, text: str) -> None:
        """A console error containing `text` is expected (e.g. the 422 of a refused form)."""
        self.allowed.append(text)

    def _console(self, msg: Any) -> None:
        if msg.type == "error" and not any(text in msg.text for text in self.allowed):
            self.messages.append(f"console: {msg.text} ({msg.location.get('url', '')})")


@pytest.fixture
def make_context(
    new_context: Callable[..., BrowserContext],
) -> Iterator[Callable[..., BrowserContext]]:
    """make_context(PHONE, locale="sv-SE"): a context whose script errors and console errors
    fail the test at teardown (allow an expected one with `context.page_errors.allow(text)`)."""
    trackers: list[PageErrors] = []

    def make(base: dict[str, Any], **overrides: Any) -> BrowserContext:
        context = new_context(**{**base, **overrides})
        context.set_default_timeout(10_000)
        context.page_errors = PageErrors(context)  # type: ignore[attr-defined]
        trackers.append(context.page_errors)  # type: ignore[attr-defined]
        return context

    yield make
    messages = [message for tracker in trackers for message in tracker.messages]
    assert not messages, "errors in the browser:\n" + "\n".join(messages)


@pytest.fixture
def phone(make_context: Callable[..., BrowserContext]) -> BrowserContext:
    return make_context(PHONE)


@pytest.fixture
def desktop(make_context: Callable[..., BrowserContext]) -> BrowserContext:
    return make_context(DESKTOP)


@pytest.fixture
def csp_phone(make_context: Callable[..., BrowserContext]) -> BrowserContext:
    """The phone with the Content-Security-Policy enforced (no axe injection possible)."""
    return make_context(PHONE, bypass_csp=False)


def check_accessibility(page: Page, name: str) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page; fail listing every violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {name} ({page.url}):"]
        for v in violations:
            targets = [
                " ".join(t) if isinstance(t, list) else str(t)
                for t in (node["target"] for node in v["nodes"][:3])
            ]
            lines.append(
                f"- {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} node(s)): "
                + "; ".join(targets)
            )
        pytest.fail("\n".join(lines), pytrace=False)


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot, tests/browser/screenshots/<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
