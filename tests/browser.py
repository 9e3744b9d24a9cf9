"""Headless Debian Chromium for the end-to-end tests, and the service in a thread beside it.

Chromium comes from Debian (`apt-get install chromium chromium-driver`), never from a download:
selenium is given /usr/bin/chromedriver and /usr/bin/chromium, so Selenium Manager is skipped.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=en-GB")


class BrowserMissing(RuntimeError):
    """Chromium or its driver is not installed and could not be installed here."""


def install_chromium() -> None:
    """Install Debian's chromium and chromium-driver when they are missing (needs root and apt)."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise BrowserMissing(f"{CHROMIUM} or {CHROMEDRIVER} is missing and apt-get cannot run "
                             "here (it needs root); install the Debian packages chromium and "
                             "chromium-driver")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in ([apt, "update"], [apt, "install", "-y", "chromium", "chromium-driver"]):
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise BrowserMissing(f"{' '.join(argv)} failed: {proc.stderr.strip()[-2000:]}")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise BrowserMissing("apt-get finished but chromium or chromedriver is still missing")


@contextmanager
def serve(app) -> Iterator[str]:
    """Run `app` under werkzeug on 127.0.0.1 with a free port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="page-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """A selenium WebDriver over headless Debian Chromium with a fresh profile."""
    # Belt and braces: were Selenium Manager ever called, it could neither fetch nor run.
    os.environ["SE_OFFLINE"] = "true"
    os.environ["SE_MANAGER_PATH"] = "/bin/false"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
