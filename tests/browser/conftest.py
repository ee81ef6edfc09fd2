"""Browser tests: the real ``app.main:app`` under uvicorn on 127.0.0.1 and Debian's Chromium,
both shared by the whole session. Skipped (with the reason) only when Chromium is missing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
ROOT = Path(__file__).resolve().parents[2]


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    _require_chromium()
    import uvicorn

    from app.main import app

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shared_context(browser):
    """One context for most tests, so Plotly.js is compiled once (HTTP + code cache)."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()


@dataclass
class Probe:
    """What went wrong on a page: console errors, uncaught exceptions, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed_requests.append(f"{r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: self.bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )


class App:
    """A page of the app plus helpers. CSP forbids eval, so waits poll ``page.evaluate``."""

    def __init__(self, page, base_url: str, probe: Probe):
        self.page = page
        self.base_url = base_url
        self.probe = probe

    def open(self, query: str = "") -> App:
        self.page.goto(f"{self.base_url}/{query}")
        self.wait("document.body.dataset.ready === 'true'", timeout=20)
        return self

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def wait(self, expression: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for: {expression}")
            time.sleep(0.025)

    def wait_race(self, timeout: float = 15.0) -> None:
        self.wait("window.descent.race && window.descent.race.loaded", timeout)

    def plot_box(self) -> dict:
        """The landscape's plot area (Plotly's drag layer) in page pixels."""
        return self.page.locator("#landscape .nsewdrag").first.bounding_box()

    def axis_ranges(self) -> tuple[list[float], list[float]]:
        full = "document.getElementById('landscape')._fullLayout"
        return self.js(f"[{full}.xaxis.range, {full}.yaxis.range]")

    def pixel_to_data(self, px: float, py: float) -> tuple[float, float]:
        """Data coordinates of a page pixel, from the axes' ranges and the plot box alone."""
        box = self.plot_box()
        (x0, x1), (y0, y1) = self.axis_ranges()
        x = x0 + (px - box["x"]) / box["width"] * (x1 - x0)
        y = y1 - (py - box["y"]) / box["height"] * (y1 - y0)
        return x, y

    def step(self) -> int:
        return self.js("window.descent.transport.step")

    def statuses(self) -> list[str]:
        return self.page.locator("#race-list .race-status").all_inner_texts()


@pytest.fixture
def app(shared_context, server_url) -> Iterator[App]:
    page = shared_context.new_page()
    probe = Probe()
    probe.attach(page)
    yield App(page, server_url, probe)
    page.close()
    assert not probe.page_errors, f"uncaught errors in the page: {probe.page_errors}"


@pytest.fixture
def cold_app(browser, server_url) -> Iterator[App]:
    """A page in a fresh context: nothing cached, as on a first visit."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    probe = Probe()
    probe.attach(page)
    yield App(page, server_url, probe)
    context.close()
    assert not probe.page_errors, f"uncaught errors in the page: {probe.page_errors}"


def pytest_collection_modifyitems(items):
    # A real browser on a shared 2-core machine has timing noise: a browser test that
    # fails is run once more (a real regression fails both times).
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.flaky(reruns=1))
