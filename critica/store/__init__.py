"""The review store: SQLite by default, PostgreSQL by URL; see ``Store`` for the contract."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from critica import config
from critica.store.base import Store
from critica.store.sql import SQLStore

__all__ = ["SQLStore", "Store", "default_url", "open_store"]


def default_url() -> str:
    """``sqlite:///`` on critica.db in the user data directory (created when missing)."""
    folder = Path(platformdirs.user_data_dir("critica"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'critica.db'}"


def open_store(url: str | None = None) -> SQLStore:
    """Open (and migrate) the store at ``url``, else setting ``database_url``, else the default."""
    chosen = url or str(config.get("database_url") or "") or default_url()
    return SQLStore(chosen)
