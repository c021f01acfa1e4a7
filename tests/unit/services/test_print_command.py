"""The print command: stored by an administrator, every saved PDF is sent to it, its failure is said in Russian
with the command's own message, and the PDF stays in the folder either way."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from soptui.core import session
from soptui.services import auth, output, printing
from soptui.services.errors import AccessDenied

from conftest import PASSWORD


def _fake_printer(tmp_path, exit_code: int = 0, said: str = "") -> str:
    """A stand-in for «lp»: records the arguments it was given; says `said` on stderr and exits `exit_code`."""
    script = tmp_path / "fake_lp.py"
    log = tmp_path / "printed.txt"
    script.write_text(
        "import sys\n"
        f"open({str(log)!r}, 'a').write('\\t'.join(sys.argv[1:]) + '\\n')\n"
        f"sys.stderr.write({said!r})\n"
        f"sys.exit({exit_code})\n"
    )
    return f"{sys.executable} {script} -d ПРИНТЕР"


def _as(login: str):
    a = auth.sign_in(login, PASSWORD)
    session.set_actor(a)
    return a


def test_only_an_administrator_sets_the_print_command(staff):
    _as("spec")
    with pytest.raises(AccessDenied):
        output.set_print_command("lp -d ПРИНТЕР")
    _as("head")
    with pytest.raises(AccessDenied):
        output.set_print_command("lp -d ПРИНТЕР")
    _as("admin")
    assert output.set_print_command("  lp -d ПРИНТЕР ") == "lp -d ПРИНТЕР"
    _as("spec")
    assert output.print_command() == "lp -d ПРИНТЕР"
    _as("admin")
    assert output.set_print_command("") == ""
    assert output.print_command() == ""


def test_a_print_command_is_one_program_without_a_shell(staff):
    _as("admin")
    for bad in ("lp -d X; rm -rf ~", "lp | cat", "lp $(id)", "lp 'unclosed"):
        with pytest.raises(ValueError) as error:
            output.set_print_command(bad)
        assert "Команда печати" in str(error.value)
    assert output.print_command() == ""


def _service_log_pdf(tmp_path):
    from soptui.services import journal

    filters = journal.JournalFilters(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    return journal.print_service_log(filters, folder=tmp_path / "out")


def test_every_saved_pdf_is_sent_to_the_print_command(staff, tmp_path):
    _as("admin")
    output.set_print_command(_fake_printer(tmp_path))
    heard = []
    printing.on_printed(heard.append)
    try:
        _as("head")
        path = _service_log_pdf(tmp_path)
    finally:
        printing.on_printed(None)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "printed.txt").read_text() == f"-d\tПРИНТЕР\t{path}\n"  # the file as the last argument
    assert [r.sent for r in heard] == [True] and "отправлен на печать" in heard[0].message


def test_a_failing_print_command_is_reported_with_its_message(staff, tmp_path):
    _as("admin")
    output.set_print_command(_fake_printer(tmp_path, 1, "lp: The printer or class does not exist.\n"))
    heard = []
    printing.on_printed(heard.append)
    try:
        _as("head")
        path = _service_log_pdf(tmp_path)
    finally:
        printing.on_printed(None)
    assert path.exists()  # the PDF is in the folder even though printing failed
    (result,) = heard
    assert not result.sent
    assert result.error.startswith("Не отправлен на печать — команда «")
    assert "The printer or class does not exist." in result.error
    assert str(path) in result.message


def test_a_missing_printer_program_is_said_in_russian(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    result = output.send_to_printer(pdf, "no-such-printer-program -d X")
    assert result.error == "Не отправлен на печать: программа «no-such-printer-program» не найдена."
    assert output.send_to_printer(pdf, "").sent is False and output.send_to_printer(pdf, "").error == ""
