"""Launching Debian's Chromium for the browser tests (JupyterLab and the course website), and serving the built site, in one place.

Chromium is found on the PATH (Debian's package installs ``/usr/bin/chromium``; ``.ci/run`` installs it
when missing) and launched headless with ``--no-sandbox`` through Playwright; Playwright's own browser
download (``playwright install``) is never used. Without Chromium a browser test module is skipped with
the reason, except under ``CI=true``, where it fails instead: CI must not skip a browser test.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    """Chromium's path; call at a test module's top level: skips the module without one, or fails it under CI=true."""
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI=true but no Chromium is installed: .ci/run installs Debian's chromium with apt-get")
        pytest.skip("no Chromium found: install Debian's chromium (apt-get install chromium) to run the browser tests",
                    allow_module_level=True)
    return path


@contextmanager
def launched_chromium(path: str) -> Iterator:
    """A headless Playwright ``Browser`` on Debian's Chromium, closed afterwards whatever happens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


# --------------------------------------------------------------------------- the built website, served


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def base_url(built_site):
    """The site built by the session fixture ``built_site``, served on 127.0.0.1 (a port the system picks) for one module."""
    site, _ = built_site
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
