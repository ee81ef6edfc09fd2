"""The page at the three sizes issue 12 names: a phone (390x844, touch), a projector
(1280x720) and a Chromebook (1366x768). Import ``sized_app`` into a test module to run each of
its tests at every size (one browser context per size, shared by the module's tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import App, Probe

SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "projector": {"viewport": {"width": 1280, "height": 720}},
    "chromebook": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.fixture(scope="module", params=list(SIZES))
def sized_context(request, browser):
    context = browser.new_context(**SIZES[request.param])
    context.size_name = request.param
    yield context
    context.close()


@pytest.fixture
def sized_app(sized_context, server_url) -> Iterator[App]:
    page = sized_context.new_page()
    probe = Probe()
    probe.attach(page)
    app = App(page, server_url, probe)
    app.size = sized_context.size_name
    yield app
    page.close()
    assert not probe.page_errors, f"uncaught errors in the page: {probe.page_errors}"
