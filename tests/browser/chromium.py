"""Headless Chromium driven over its DevTools protocol (a websocket, spoken with aiohttp): no driver, no download.

Debian's `chromium` package is the browser; nothing else is fetched. `Chromium.start()` runs it with a private
profile folder, `Page` navigates, types, reads and takes screenshots. The terminal that textual-serve draws is a
WebGL canvas: `capture_terminal()` (run before the page's own script) keeps its xterm.js `Terminal` object as
`window.__soptuiTerminal`, and `screen_text()` reads the screen through xterm's buffer API.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

BROWSERS = ("chromium", "chromium-browser", "google-chrome")

# textual.js sets `this.terminal = new Terminal(...)`: an inherited setter sees the object go by and keeps it.
CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
        Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
        if (value && value.buffer !== undefined) { window.__soptuiTerminal = value; }
    },
});
"""

SCREEN_TEXT = """
(() => {
    const term = window.__soptuiTerminal;
    if (!term) { return null; }
    const buffer = term.buffer.active;
    const lines = [];
    for (let y = 0; y < term.rows; y++) {
        const line = buffer.getLine(buffer.viewportY + y);
        lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\\n");
})()
"""


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    def __init__(self, binary: str, width: int = 1280, height: int = 800, extra: tuple[str, ...] = ()):
        self.binary = binary
        self.extra = list(extra)
        self.size = (width, height)
        self.profile = Path(tempfile.mkdtemp(prefix="soptui-chromium-"))
        self.process: subprocess.Popen | None = None

    def _tmp(self) -> Path:
        folder = self.profile / "tmp"
        folder.mkdir(exist_ok=True)
        return folder

    def start(self, timeout: float = 30) -> str:
        """Start the browser; returns the DevTools websocket URL of its first page."""
        self.process = subprocess.Popen(
            [
                self.binary,
                "--headless=new",
                "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--metrics-recording-only",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--window-size={self.size[0]},{self.size[1]}",
                *self.extra,
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helper processes in one group, ended together in stop()
            env={**os.environ, "TMPDIR": str(self._tmp())},  # its own temporary files go with the profile
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port")
            time.sleep(0.1)
        return f"http://127.0.0.1:{port_file.read_text().split()[0]}"

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            # a helper still running wrote into the profile after it was removed: /tmp kept soptui-chromium-*/Default
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab, spoken to over its DevTools websocket."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.session = session
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future] = {}
        self.events: list[dict] = []
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, devtools: str) -> Page:
        session = aiohttp.ClientSession()
        async with session.get(f"{devtools}/json/list") as response:
            targets = await response.json(content_type=None)
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        ws = await session.ws_connect(url, max_msg_size=0)
        return cls(session, ws)

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            future = self.pending.pop(data.get("id"), None)
            if future is not None and not future.done():
                future.set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def send(self, method: str, **params) -> dict:
        ident = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()
        await self.session.close()

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def set_viewport(self, width: int, height: int) -> None:
        """The page's own size, whatever the window around it (the terminal fits itself to it)."""
        await self.send(
            "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
        )

    async def capture_terminal(self) -> None:
        await self.send("Page.enable")
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINAL)

    async def navigate(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def screen_text(self) -> str:
        return await self.evaluate(SCREEN_TEXT) or ""

    async def wait_text(self, *needles: str, timeout: float = 60) -> str:
        """The terminal's screen once it shows every needle; TimeoutError (with the screen) otherwise."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await self.screen_text()
            if all(n in text for n in needles):
                return text
            await asyncio.sleep(0.3)
        raise TimeoutError(f"the browser never showed {needles!r}; its screen:\n{text}")

    async def type_text(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def press(self, key: str) -> None:
        codes = {"Enter": 13, "Tab": 9, "Escape": 27, **{f"F{n}": 111 + n for n in range(1, 13)}}
        params = {"key": key, "code": key, "windowsVirtualKeyCode": codes[key]}
        if key == "Enter":
            params["text"] = "\r"
        await self.send("Input.dispatchKeyEvent", type="keyDown", **params)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **params)

    async def allow_downloads(self, folder: Path) -> None:
        await self.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder), eventsEnabled=True)

    async def screenshot(self, path: Path) -> None:
        result = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))
