"""Test helpers shared by the tests that drive headless Chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


#: Chromium's switches for a quiet headless run in a container (no sandbox, GPU or updates)
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium launched by Playwright (the caller has importorskipped Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
