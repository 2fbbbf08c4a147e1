"""Read reviews in bulk: text/HTML files, folders, JSONL, CSV (with a column mapping), Parquet,
and the Rotten Tomatoes CSV layouts. Each record says where it came from; a bad row becomes a
``Rejected`` with its line and reason, and never stops the good ones.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from critica.errors import InputError
from critica.rules import yes_no

TEXT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
FIELDS = (
    "text",
    "title",
    "kind",
    "season",
    "year",
    "network",
    "critic",
    "publication",
    "top_critic",
    "date",
    "rating",
    "url",
    "id",
    "analysis",  # a batch run's analysis JSON: ingest stores it instead of re-analysing
    "catalog_id",  # the title's catalog (IMDb) id, "tt0111161": found by it, made with it
    "reviewer",  # "critic" (the default) or "audience"
)
# Columns that name a title by its IMDb id (the IMDb review datasets' ``title_id``).
CATALOG_COLUMNS = ("catalog_id", "title_id", "imdb_id", "tconst")
CATALOG_ID = re.compile(r"tt\d{7,12}")
# Rotten Tomatoes scrapes, recognised by their header.
RT_LISTS = {
    "quote": "text",
    "criticName": "critic",
    "publicationName": "publication",
    "isTopCritic": "top_critic",
    "originalScore": "rating",
    "creationDate": "date",
    "reviewUrl": "url",
    "reviewId": "id",
}
RT_KAGGLE = {
    "review_content": "text",
    "critic_name": "critic",
    "publisher_name": "publication",
    "top_critic": "top_critic",
    "review_score": "rating",
    "review_date": "date",
}


@dataclass
class Record:
    """One review as read, before analysis."""

    fields: dict[str, Any]
    source: str  # file:line, for messages


@dataclass
class Rejected:
    source: str
    reason: str


@dataclass
class ReadOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # our field -> their column
    defaults: dict[str, Any] = field(default_factory=dict)  # --title, --critic ...
    require_title: bool = True  # the store needs one; a batch run does not
    rating_scale: float | None = None  # a bare number rating ("9") is out of this (10)


def as_bool(value: Any) -> bool | None:
    """A yes/no cell (``true``, ``1``, ``yes``, ``t``, ``y``, ``on`` and their opposites) as a
    bool; ``None`` when empty or not understood."""
    if isinstance(value, bool) or value is None:
        return value
    return yes_no(str(value))


def parse_mapping(spec: str | None) -> dict[str, str]:
    """``"text=quote,title=film"`` -> ``{"text": "quote", "title": "film"}``."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        key, sep, column = part.partition("=")
        if not sep or key.strip() not in FIELDS or not column.strip():
            raise InputError(
                f"bad column mapping {part!r}; write field=column pairs separated by commas, "
                f"fields being {', '.join(FIELDS)}"
            )
        out[key.strip()] = column.strip()
    return out


def iter_paths(paths: list[Path]) -> Iterator[Path | Rejected]:
    """Files to read: the paths themselves, and every readable file under folders."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                readable = child.suffix.lower() in TEXT_SUFFIXES | TABLE_SUFFIXES
                # movies.csv holds the Rotten Tomatoes layouts' titles, not reviews, and a
                # batch folder's rejected.jsonl lists rows that never became analyses.
                skip = child.name == "movies.csv" or (
                    child.name == "rejected.jsonl"
                    and (child.parent / "_critica_batch.json").exists()
                )
                if child.is_file() and readable and not skip:
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Rejected(str(path), "no such file or folder")


def read(paths: list[Path], options: ReadOptions) -> Iterator[Record | Rejected]:
    """Every review record under ``paths``, in order, with rejects in line."""
    for item in iter_paths(paths):
        if isinstance(item, Rejected):
            yield item
            continue
        suffix = item.suffix.lower()
        try:
            if suffix in TEXT_SUFFIXES:
                yield from _read_document(item, options)
            elif suffix in {".jsonl", ".ndjson"} or (
                suffix == ".gz" and Path(item.stem).suffix.lower() in {".jsonl", ".ndjson"}
            ):
                yield from _read_jsonl(item, options)
            elif suffix == ".csv":
                yield from _read_csv(item, options)
            elif suffix == ".parquet":
                yield from _read_parquet(item, options)
            else:
                yield Rejected(
                    str(item),
                    f"unsupported file type {suffix or '(none)'}; "
                    "use .txt, .html, .jsonl, .csv or .parquet",
                )
        except OSError as exc:
            yield Rejected(str(item), f"cannot read: {exc}")


def _finish(
    row: Mapping[str, Any],
    options: ReadOptions,
    source: str,
    rename: Mapping[str, str] | None = None,
) -> Record | Rejected:
    fields: dict[str, Any] = dict(options.defaults)
    columns = {**(rename or {}), **{v: k for k, v in options.mapping.items()}}
    for column, value in row.items():
        name = columns.get(column, column if not rename else None)
        if name in FIELDS and value not in (None, ""):
            fields[name] = value
    if "analysis" in fields:
        try:
            value = fields["analysis"]
            value = json.loads(value) if isinstance(value, str) else value
            if not isinstance(value, dict):
                raise ValueError(value)
            fields["analysis"] = value
            fields.setdefault("text", value.get("text"))
        except (TypeError, ValueError):
            return Rejected(source, "the analysis column does not hold a critica analysis (JSON)")
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        cells = [v for c, v in row.items() if columns.get(c, c if not rename else None) == "text"]
        if cells and not all(v is None or isinstance(v, str) for v in cells):
            kind = type(next(v for v in cells if not isinstance(v, str | None))).__name__
            return Rejected(source, f"the review text is a JSON {kind}, not text")
        if cells or "analysis" in fields:  # the column is there, this row's cell is blank
            return Rejected(source, "the review text is empty; give this row its text or drop it")
        return Rejected(source, "no review text (map the text column with --map text=COLUMN)")
    if "catalog_id" not in fields:
        for column in CATALOG_COLUMNS:
            value = str(row.get(column) or "").strip()
            if CATALOG_ID.fullmatch(value):
                fields["catalog_id"] = value
                break
    elif not CATALOG_ID.fullmatch(str(fields["catalog_id"]).strip()):
        return Rejected(source, f"catalog id {fields['catalog_id']!r} is not an IMDb id (tt…)")
    if "reviewer" in fields:
        fields["reviewer"] = str(fields["reviewer"]).strip().lower()
        if fields["reviewer"] not in ("critic", "audience"):
            return Rejected(source, f"reviewer {row.get('reviewer')!r}: use critic or audience")
    if options.require_title and not fields.get("title") and not fields.get("catalog_id"):
        return Rejected(
            source, "no title (give --title, or map a title column with --map title=COLUMN)"
        )
    return Record(fields, source)


def _read_document(path: Path, options: ReadOptions) -> Iterator[Record | Rejected]:
    from critica.inputs.sources import decode_bytes

    try:
        text = decode_bytes(path.read_bytes())
    except InputError as exc:
        yield Rejected(str(path), str(exc))
        return
    row = {"text": text, "title": options.defaults.get("title") or path.stem.replace("-", " ")}
    if path.suffix.lower() in {".html", ".htm"}:
        row["content_type"] = "html"
    record = _finish(row, options, str(path))
    if isinstance(record, Record) and "content_type" in row:
        record.fields["content_type"] = "html"
    yield record


def _read_jsonl(path: Path, options: ReadOptions) -> Iterator[Record | Rejected]:
    gz = path.suffix.lower() == ".gz"
    opener = gzip.open if gz else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Rejected(source, f"not valid JSON ({exc.msg})")
                continue
            except RecursionError:
                yield Rejected(source, "JSON nested too deeply; each line must be a flat object")
                continue
            if not isinstance(row, dict):
                yield Rejected(source, "each line must be a JSON object")
                continue
            yield _finish(row, options, source)


def _titles_beside(path: Path, key: str, name: str, year: str) -> dict[str, tuple[str, str]]:
    movies = path.with_name("movies.csv")
    if not movies.exists():
        return {}
    with movies.open(encoding="utf-8", newline="") as fh:
        return {r[key]: (r.get(name, ""), (r.get(year) or "")[:4]) for r in csv.DictReader(fh)}


def _read_csv(path: Path, options: ReadOptions) -> Iterator[Record | Rejected]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh, strict=True)
        header = set(reader.fieldnames or [])
        rename, titles, key = None, {}, ""
        if {"quote", "criticName", "movieId"} <= header and not options.mapping:
            rename, key = {**RT_LISTS, "_title": "title", "_year": "year"}, "movieId"
            titles = _titles_beside(path, "movieId", "movieTitle", "movieYear")
        elif {"review_content", "rotten_tomatoes_link"} <= header and not options.mapping:
            rename, key = {**RT_KAGGLE, "_title": "title", "_year": "year"}, "rotten_tomatoes_link"
            titles = _titles_beside(path, key, "movie_title", "original_release_date")
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Rejected(f"{path}:{line}", f"malformed CSV ({exc})")
                continue
            source = f"{path}:{line}"
            if None in row:  # more cells than the header has names
                yield Rejected(source, "more cells than header columns (check the quoting)")
                continue
            if rename is not None:
                title, year = titles.get(row.get(key, ""), ("", ""))
                row = {**row, "_title": title or row.get(key, ""), "_year": year}
            yield _finish(row, options, source, rename)


def _read_parquet(path: Path, options: ReadOptions) -> Iterator[Record | Rejected]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
        for row in batch.to_pylist():
            number += 1
            yield _finish(row, options, f"{path}:row {number}")


def estimate_rows(paths: list[Path]) -> int:
    """Rows to expect, for a progress bar's total and ETA: exact for Parquet, lines for
    JSONL and CSV (a quoted field spanning lines counts more than once), one per other file."""
    import pyarrow.parquet as pq

    total = 0
    for item in iter_paths(paths):
        if isinstance(item, Rejected):
            continue
        suffix = item.suffix.lower()
        if suffix == ".parquet":
            total += pq.ParquetFile(item).metadata.num_rows
        elif suffix in {".jsonl", ".ndjson", ".csv"}:
            with item.open("rb") as fh:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            total += max(0, lines - (suffix == ".csv"))
        else:
            total += 1
    return total
