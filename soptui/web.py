"""`soptui serve`: the same app in a browser, through textual-serve (issue 15, point 6).

The web server (aiohttp, in textual-serve) starts one app process per browser tab: `python3 -m soptui --db
TARGET [--demo]`, which shows soptui's own sign-in screen. The app process runs in a session of its own, so
Ctrl+C in the server's terminal reaches the server only; the server then tells every app to quit, waits for
it, and ends without a traceback. PDFs the app writes reach the browser as downloads (app.py `_file_saved`).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import sys
from pathlib import Path

from textual_serve import app_service, server

SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000
PAGE = Path(__file__).parent / "webpage"  # the page in Russian, with no font from another site
QUIT_WAIT = 10  # seconds an app process has to quit on its own when the server stops


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cannot_listen(host: str, port: int) -> str:
    """Why the server could not listen there, in Russian ('' when it can): asked before textual-serve tries."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return "такого адреса нет"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return {
                errno.EADDRINUSE: "порт уже занят другой программой",
                errno.EADDRNOTAVAIL: "у этого компьютера нет такого адреса",
                errno.EACCES: "нет прав на этот порт (порты до 1024 — только для администратора системы)",
            }.get(exc.errno, f"ошибка системы № {exc.errno}")
    return ""


class AppProcess(app_service.AppService):
    """One browser tab's app: started without a shell, in its own session, and waited for when it stops."""

    argv: list[str] = []
    running: set[AppProcess] = set()  # the open tabs, closed by the server when it stops

    async def start(self, width: int, height: int) -> None:
        AppProcess.running.add(self)
        await super().start(width, height)

    async def _open_app_process(self, width: int = 80, height: int = 24):
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # Ctrl+C in the server's terminal is the server's to handle
        )
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        AppProcess.running.discard(self)
        await super().stop()
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_WAIT)
        except (TimeoutError, asyncio.CancelledError):
            process.kill()
            await process.wait()


class SoptuiServer(server.Server):
    async def on_startup(self, app) -> None:  # said in Russian, instead of textual-serve's banner
        print(f"soptui в браузере: {self.public_url} (остановить — Ctrl+C)", flush=True)

    async def on_shutdown(self, app) -> None:
        """Ctrl+C: close every open tab's connection, so that its app quits now (aiohttp waits for them)."""
        for tab in list(AppProcess.running):
            await tab.remote_close()


def serve(target: str, demo: bool, host: str, port: int, public_url: str | None) -> None:
    """Run the web server until Ctrl+C (or SIGTERM)."""
    argv = [sys.executable, "-m", "soptui", "--db", target]
    if demo:
        argv.append("--demo")
    AppProcess.argv = argv
    server.AppService = AppProcess  # textual-serve makes one per browser tab through this name
    SoptuiServer(
        " ".join(argv),
        host=host,
        port=port,
        title="soptui",
        public_url=public_url.rstrip("/") if public_url else None,
        templates_path=PAGE,
    ).serve()
