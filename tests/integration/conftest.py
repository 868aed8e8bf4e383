"""Fixtures shared by the integration tests."""

from __future__ import annotations

import os

import pytest

from tests.integration.test_reports_browser import find_browser


@pytest.fixture(scope="module")
def browser_exe() -> str:
    """The headless Chromium the browser tests drive (a failure under CI, a skip elsewhere)."""
    exe = find_browser()
    if exe is None:
        msg = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must run the browser tests, not skip them")
        pytest.skip(msg)
    return exe
