"""`soptui serve` in a real browser (issue 15, point 6): headless Chromium signs in and reads the Today screen.

The server runs as a user starts it (`python3 -m soptui serve --demo` on a free port of 127.0.0.1) with a
throw-away data folder; Debian's Chromium opens the page and is driven over its DevTools protocol
(tests/browser/chromium.py). The text is read from the xterm.js terminal the page draws in, the same
characters the user sees. A PDF printed in the browser arrives as a download.

Set SOPTUI_BROWSER_SCREENSHOT=docs/serve-today.png to keep the screenshot of the signed-in Today (README).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chromium import Chromium, Page, find_browser

ROOT = Path(__file__).resolve().parents[2]
BROWSER = find_browser()

pytestmark = [
    pytest.mark.skipif(
        BROWSER is None, reason="Chromium не установлен (Debian: apt-get install chromium): браузерный тест пропущен"
    ),
    pytest.mark.skipif(
        os.environ.get("SOPTUI_TEST_DATABASE") is not None, reason="the browser test runs in the SQLite pass only"
    ),
    pytest.mark.slow,
]

# what the Today screen's first row should show, asked of the same demo store the server built
FIRST_ROW = """
import json, sys
from soptui.core import session
from soptui.services import agenda, auth
from soptui.services.store import open_store
open_store(sys.argv[1], create=False)
actor = auth.sign_in("ivanova", "demo2026")
session.set_actor(actor)
items = agenda.collect(actor)
print(json.dumps({"who": items[0].who if items else ""}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`soptui serve --demo` on a free port, its data in tmp_path; `stop()` (also at the end) is Ctrl+C."""
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    env.pop("SOPTUI_DATABASE", None)
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "soptui", "serve", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120  # the first run builds the demo store
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"soptui serve did not start:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.5)
    stopped: list[tuple[int, str]] = []

    def stop() -> tuple[int, str]:
        """Ctrl+C, as a user stops it: the exit code and everything it printed."""
        if not stopped:
            process.send_signal(signal.SIGINT)
            try:
                code = process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = -9
            log.close()
            stopped.append((code, (tmp_path / "serve.log").read_text()))
        return stopped[0]

    yield url, env, stop
    stop()


def demo_store(env: dict[str, str]) -> str:
    return str(next(Path(env["XDG_DATA_HOME"]).rglob("*.db")))


async def test_sign_in_and_today_in_the_browser(server, tmp_path):
    url, env, stop = server
    expected = json.loads(
        subprocess.run(
            [sys.executable, "-c", FIRST_ROW, demo_store(env)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert expected["who"], "the demo store has nothing for ivanova today"
    browser = Chromium(BROWSER, 1280, 800)
    devtools = browser.start()
    page = await Page.open(devtools)
    try:
        await page.set_viewport(1280, 720)
        await page.capture_terminal()
        await page.navigate(url)
        signin = await page.wait_text("soptui — вход", "Логин", "Пароль")
        page_html = await page.evaluate("document.documentElement.outerHTML")
        assert 'lang="ru"' in page_html and "googleapis" not in page_html  # soptui's page, no third-party font
        assert "Демо-база" in signin
        await page.evaluate("window.__soptuiTerminal.focus()")
        await page.type_text("ivanova")
        await page.press("Enter")
        await page.type_text("demo2026")
        await page.press("Enter")
        # the «Кто» column is 30 characters wide: a longer name is cut there (the row's detail line has it whole)
        today = await page.wait_text("Сегодня", "Иванова М.С.", expected["who"][:28])
        assert "demo2026" not in today  # the password is never drawn
        assert "Traceback" not in today
        shot = tmp_path / "today.png"
        await page.screenshot(shot)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        keep = os.environ.get("SOPTUI_BROWSER_SCREENSHOT")
        if keep:
            shutil.copyfile(shot, ROOT / keep)

        # F7 → Журнал, F9 → the open tab as a PDF: the browser downloads it
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        await page.allow_downloads(downloads)
        await page.press("F7")
        await page.wait_text("Журнал")
        await page.press("F9")
        await page.wait_text("Передан браузеру для скачивания")
        deadline = time.monotonic() + 60
        while not list(downloads.glob("*.pdf")) and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        pdfs = list(downloads.glob("*.pdf"))
        assert pdfs, f"nothing downloaded: {list(downloads.iterdir())}"
        assert pdfs[0].read_bytes().startswith(b"%PDF")

        # Ctrl+C on the server with the tab still open: it closes the tab's session and ends without a traceback
        began = time.monotonic()
        code, output = stop()
        assert code == 0, output
        assert "Traceback" not in output and "Exception ignored" not in output, output
        assert time.monotonic() - began < 15
        deadline = time.monotonic() + 10
        while "-closed" not in (await page.evaluate("document.body.className")) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert "-closed" in await page.evaluate("document.body.className")
        said = await page.evaluate("document.querySelector('.closed-dialog').innerText")
        assert "Сеанс завершён." in said and "Открыть снова" in said
    finally:
        await page.close()
        browser.stop()
