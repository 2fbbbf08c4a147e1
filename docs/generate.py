"""Rewrite the tables in docs/ that are generated from the code.

    .venv/bin/python docs/generate.py      (or: make docs)

docs/settings.md's settings table comes from ``critica.config.table()`` and
docs/schema.md's field table from ``critica.analysis.schema_table()``; tests in
tests/test_meta.py fail when a document and its table differ.
"""

from __future__ import annotations

from pathlib import Path

from critica import config
from critica.analysis import schema_table

DOCS = Path(__file__).resolve().parent


def replace_table(path: Path, table: str) -> bool:
    """Put ``table`` where the table with the same header row is; True if it changed."""
    text = path.read_text()
    header = table.splitlines()[0]
    start = text.index(header)
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end + 1
    new = text[:start] + table + text[end:]
    if new != text:
        path.write_text(new)
    return new != text


def main() -> None:
    for name, table in (("settings.md", config.table()), ("schema.md", schema_table())):
        changed = replace_table(DOCS / name, table)
        print(f"docs/{name}: {'rewritten' if changed else 'unchanged'}")


if __name__ == "__main__":
    main()
