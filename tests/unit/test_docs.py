"""docs/architecture.md names real modules and real tests: the SOP table cannot silently rot."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def _table_rows() -> list[list[str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[0] not in ("SOP", "---"):
            rows.append(cells)
    return rows


def test_every_sop_has_rows():
    sops = {row[0] for row in _table_rows()}
    assert {"01", "02", "03", "04", "05"} <= sops


def test_modules_and_tests_named_in_the_sop_table_exist():
    missing = []
    for _sop, rule, module, test in _table_rows():
        if module.startswith("—"):
            assert test.startswith("—"), rule
            continue
        if not (ROOT / "soptui" / module).exists():
            missing.append(f"module {module} ({rule})")
        path, _, name = test.partition("::")
        file = ROOT / "tests" / path
        if not file.exists() or not re.search(rf"def {re.escape(name)}\(", file.read_text(encoding="utf-8")):
            missing.append(f"test {test} ({rule})")
    assert missing == []
