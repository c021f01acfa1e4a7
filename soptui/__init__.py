"""soptui: the social-services centre's SOPs as a terminal application."""

__version__ = "0.1.0"

import sys as _sys

# PostgreSQL's driver (psycopg 3) takes about 19 MB once imported, and peewee imports it whenever it is
# installed, on an SQLite workstation too (the registry's memory goal is 150 MB). It is kept out until a
# PostgreSQL store is opened: soptui.db.connection.load_psycopg() lets it in then.
if "psycopg" not in _sys.modules:
    _sys.modules["psycopg"] = None  # `import psycopg` raises ImportError meanwhile
