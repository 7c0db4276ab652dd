"""Browser tests: the real server (`duban serve`, its in-process worker, a SQLite file) driven by Debian's chromium.

Screenshots of every page visited go to `test-output/screenshots/` (or
`$DUBAN_TEST_OUTPUT/screenshots/`), named in journey order, for people to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import Engine

from duban import accounts
from duban.db.migrate import upgrade
from duban.db.models import UserRole
from duban.db.repositories.users import create_user
from duban.db.session import make_engine, write_session
from duban.workflow.audit import Actor

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("DUBAN_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
PASSWORD = "e2e-password-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    engine: Engine
    data_dir: Path

    def add_user(self, username: str, role: UserRole, unit_name: str | None = None) -> None:
        with write_session(self.engine) as session:
            user = create_user(
                session, username, role, Actor("e2e", None), display_name=username, unit_name=unit_name
            )
            user.password_hash = accounts.hash_password(PASSWORD)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{data_dir / 'duban.db'}"
    engine = make_engine(url)
    upgrade(engine)
    port = _free_port()
    env = {
        **os.environ,
        "DUBAN_DATA_DIR": str(data_dir),
        "DUBAN_DATABASE_URL": url,
        "DUBAN_SECRET_KEY": "e2e-secret",
        "DUBAN_OCR_ENABLED": "false",
    }
    env.pop("DUBAN_QUEUE_IMMEDIATE", None)
    duban = Path(sys.executable).parent / "duban"
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(duban), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError((data_dir / "server.log").read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    try:
        yield LiveServer(base, engine, data_dir)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        engine.dispose()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"chromium not found at {CHROMIUM}; `make setup` installs it")
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_playwright() as handle:
        yield handle


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield browser
    browser.close()


class Screens:
    """Numbered screenshots in journey order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def shoot(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="module")
def screens(request: pytest.FixtureRequest) -> Screens:
    return Screens(OUTPUT / request.module.__name__.rsplit(".", 1)[-1])


def log_in(browser: Browser, server: LiveServer, username: str) -> Page:
    """A fresh browser context signed in through the real login form."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page
