"""Where printed forms and exports are written."""

from __future__ import annotations

import os
from pathlib import Path


def output_dir() -> Path:
    """SOPTUI_OUTPUT, else ~/Documents/soptui (created on demand)."""
    env = os.environ.get("SOPTUI_OUTPUT")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_documents_dir

        path = Path(user_documents_dir()) / "soptui"
    path.mkdir(parents=True, exist_ok=True)
    return path
