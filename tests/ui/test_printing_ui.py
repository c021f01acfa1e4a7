"""The print command seen from the workstation: F9 in the journal saves the PDF, sends it to the printer,
and a printer's failure is shown with the command's own message (the PDF path too)."""

from __future__ import annotations

import sys

import pytest

from soptui.app import make_app
from soptui.services import output

from conftest import sign_in, until


@pytest.fixture(autouse=True)
def out_folder(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    monkeypatch.setenv("SOPTUI_OUTPUT", str(folder))
    return folder


def _configure(tmp_path, exit_code: int, said: str) -> None:
    script = tmp_path / "fake_lp.py"
    script.write_text(
        "import sys\n"
        f"open({str(tmp_path / 'printed.txt')!r}, 'a').write(sys.argv[-1] + '\\n')\n"
        f"sys.stderr.write({said!r})\n"
        f"sys.exit({exit_code})\n"
    )
    from soptui.db import models as m
    from soptui.services import auth

    admin = auth.actor_for(m.Staff.get(m.Staff.role == "admin"))
    output.set_print_command(f"{sys.executable} {script} -d ПРИНТЕР", admin)


@pytest.mark.parametrize("fails", [False, True])
async def test_f9_prints_and_a_failure_is_shown(demo_store, tmp_path, out_folder, fails):
    _configure(tmp_path, 1 if fails else 0, "lp: Принтер ПРИНТЕР не найден\n" if fails else "")
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen", "journal")
        await pilot.press("f9")
        await until(pilot, lambda: getattr(app.screen, "last_pdf", None) is not None, "PDF saved")
        pdf = app.screen.last_pdf
        await until(pilot, lambda: any("печат" in n.message for n in app._notifications), "print notice")
        printed = (tmp_path / "printed.txt").read_text().splitlines()
        assert printed == [str(pdf)]
        messages = [n.message for n in app._notifications if "печат" in n.message]
        assert any(str(pdf) in msg for msg in messages)
        if fails:
            assert any("Не отправлен на печать" in msg and "Принтер ПРИНТЕР не найден" in msg for msg in messages)
        else:
            assert any("отправлен на печать" in msg and "Не отправлен" not in msg for msg in messages)


async def test_a_progress_bar_is_shown_while_the_pdf_renders(demo_store, monkeypatch):
    """The bar appears when rendering starts, names the file, and goes when the file is written."""
    import threading

    from textual.widgets import ProgressBar

    from soptui.services import printing

    rendering, release = threading.Event(), threading.Event()
    real_render = printing.render

    def slow_render(*args, **kwargs):
        rendering.set()
        release.wait(10)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(printing, "render", slow_render)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen", "journal")
        await pilot.press("f9")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.query("#print-progress"):
                break
        bar = app.screen.query_one("#print-progress")
        assert bar.query_one(ProgressBar)
        assert "Готовлю PDF: Журнал учёта услуг" in str(bar.query_one("Static").render()).replace("_", " ")
        release.set()
        await until(pilot, lambda: getattr(app.screen, "last_pdf", None) is not None, "PDF saved")
        await until(pilot, lambda: not app.screen.query("#print-progress"), "bar removed")


@pytest.mark.parametrize("web", [True, False])
async def test_in_the_browser_the_pdf_is_delivered_as_a_download(demo_store, monkeypatch, web):
    """Under `soptui serve` (App.is_web) a written PDF is handed to Textual's deliver_binary; in a terminal not."""
    from soptui.app import SoptuiApp

    monkeypatch.setattr(SoptuiApp, "is_web", property(lambda self: web))
    delivered = []
    app = make_app("Учреждение", "КЦСОН")
    monkeypatch.setattr(app, "deliver_binary", lambda path, **kw: delivered.append((path, kw)) or "key")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen", "journal")
        await pilot.press("f9")
        await until(pilot, lambda: getattr(app.screen, "last_pdf", None) is not None, "PDF saved")
        pdf = app.screen.last_pdf
        if not web:
            await pilot.pause(0.3)
            assert delivered == []
            return
        await until(pilot, lambda: delivered, "delivered")
        path, options = delivered[0]
        assert path == pdf and path.read_bytes().startswith(b"%PDF")
        assert options["open_method"] == "download" and options["mime_type"] == "application/pdf"
        assert options["save_filename"] == pdf.name
        await until(pilot, lambda: any("Передан браузеру" in n.message for n in app._notifications), "notice")
