"""Test helpers shared by the tests that drive headless Chromium through Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

#: Debian's Chromium: Playwright drives it, never downloads a browser of its own
CHROMIUM = Path("/usr/bin/chromium")

#: the marks of a browser test: ``browser`` and ``slow``, skipped where Chromium is absent
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and shutil.which("chromium") is None,
        reason="Debian chromium is not installed (apt-get install chromium)",
    ),
]


def chromium_path() -> str:
    """The Chromium executable to launch (``/usr/bin/chromium``, else ``chromium`` on PATH)."""
    return str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
