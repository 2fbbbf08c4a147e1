"""One partition of a batch run: analyse its rows with ``Pipeline.pipe`` and write one Parquet file.

``analyze_partition`` is the only function either engine runs on a worker: the
local engine calls it in its worker processes, the Dask engine submits it to
Dask workers. The pipeline (models) is loaded once per worker process and kept
(``core.get_pipeline`` is cached), never once per partition.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from critica import config
from critica.analysis import Analysis
from critica.core import get_pipeline, make_doc, pipeline_loads
from critica.errors import InputError, RatingError
from critica.inputs.readers import as_bool
from critica.rules import write_atomic

PART_GLOB = "part-*.parquet"
REJECTED_KEY = b"critica.rejected"  # analysis-time rejects, kept in the part's own metadata

ASPECT = pa.struct([("name", pa.string()), ("polarity", pa.float32())])
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("title", pa.string()),
        ("kind", pa.string()),
        ("season", pa.int32()),
        ("critic", pa.string()),
        ("publication", pa.string()),
        ("top_critic", pa.bool_()),
        ("reviewer", pa.string()),  # "critic" (also when null) or "audience"
        ("date", pa.string()),
        ("rating", pa.string()),
        ("source", pa.string()),
        ("score", pa.float64()),
        ("fresh", pa.bool_()),
        ("rating_score", pa.float64()),
        ("text_score", pa.float64()),
        ("fresh_evidence", pa.float64()),
        ("confidence", pa.float64()),
        ("band", pa.string()),
        ("quote", pa.string()),
        ("language", pa.string()),
        ("model_version", pa.string()),
        ("unscored_reason", pa.string()),
        ("aspects", pa.list_(ASPECT)),
        ("analysis", pa.string()),
    ]
)
PASSTHROUGH = ("title", "kind", "critic", "publication", "reviewer", "date", "rating")


@dataclass
class PartResult:
    """What one partition did; small, so it travels back from any worker cheaply."""

    index: int
    rows: int  # analyses written
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pid: int = 0
    pipeline_loads: int = 0  # in this worker process so far: 1 means the models loaded once


def part_path(out: Path, index: int) -> Path:
    return out / f"part-{index:05d}.parquet"


def worker_info() -> dict[str, int]:
    """This process's id and how many times it has built a pipeline (for the tests and bench)."""
    return {"pid": os.getpid(), "pipeline_loads": pipeline_loads()}


def use_threads(threads: int) -> None:
    """Set the inference threads for this worker before its models load (0 leaves the setting)."""
    if threads and config.get("threads") != threads:
        os.environ["CRITICA_THREADS"] = str(threads)
        config.settings.cache_clear()


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def analyze_partition(
    index: int,
    rows: list[dict[str, Any]],
    out: str,
    disable: tuple[str, ...] = (),
    batch_size: int = 64,
    threads: int = 0,
) -> PartResult:
    """Analyse ``rows`` (dicts with ``text``, ``id``, ``source`` and optional metadata) and
    write ``part-{index}.parquet`` under ``out`` atomically (a temporary name, then a rename),
    so a crash never leaves a half-written part that a resumed run would trust."""
    start = time.perf_counter()
    use_threads(threads)
    result = PartResult(index=index, rows=0, pid=os.getpid())
    kept: list[dict[str, Any]] = []
    docs = []
    for row in rows:
        rating = _str(row.get("rating"))
        try:
            doc = make_doc(
                row["text"],
                title=_str(row.get("title")),
                rating=rating,
                content_type=row.get("content_type"),
            )
        except RatingError:
            result.notes.append(f"{row['source']}: rating {rating!r} not understood")
            row = {**row, "rating": None}
            try:
                doc = make_doc(row["text"], title=_str(row.get("title")))
            except InputError as exc:
                result.rejected.append((row["source"], str(exc)))
                continue
        except InputError as exc:
            result.rejected.append((row["source"], str(exc)))
            continue
        kept.append(row)
        docs.append(doc)
    pipeline = get_pipeline(frozenset(disable))
    analyses = [Analysis.from_doc(d) for d in pipeline.pipe(docs, batch_size=batch_size)]
    table = to_table(kept, analyses)
    table = table.replace_schema_metadata(
        {REJECTED_KEY: json.dumps(result.rejected).encode("utf-8")}
    )
    final = part_path(Path(out), index)
    write_atomic(final, lambda path: pq.write_table(table, path, compression="zstd"))
    result.rows = table.num_rows
    result.seconds = time.perf_counter() - start
    result.pipeline_loads = pipeline_loads()
    return result


def to_table(rows: list[dict[str, Any]], analyses: list[Analysis]) -> pa.Table:
    """One output row per analysis: the headline fields as columns, the whole analysis as JSON."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for row, a in zip(rows, analyses, strict=True):
        for name in PASSTHROUGH:
            columns[name].append(_str(row.get(name)))
        columns["id"].append(str(row["id"]))
        columns["season"].append(_int(row.get("season")))
        columns["top_critic"].append(as_bool(row.get("top_critic")))
        columns["source"].append(row["source"])
        columns["score"].append(None if a.score is None else float(a.score))
        columns["fresh"].append(None if a.fresh is None else bool(a.fresh))
        columns["rating_score"].append(float(a.rating.normalized) if a.rating else None)
        columns["text_score"].append(None if a.text_score is None else float(a.text_score))
        columns["fresh_evidence"].append(
            None if a.fresh_evidence is None else float(a.fresh_evidence)
        )
        columns["confidence"].append(float(a.confidence))
        columns["band"].append(a.band)
        columns["quote"].append(a.quote.text if a.quote else None)
        columns["language"].append(a.language)
        columns["model_version"].append(a.model_version)
        columns["unscored_reason"].append(a.unscored_reason)
        columns["aspects"].append(
            [{"name": s.name, "polarity": float(s.polarity)} for s in a.aspects]
        )
        columns["analysis"].append(json.dumps(a.to_dict(), ensure_ascii=False, default=_plain))
    return pa.table(columns, schema=SCHEMA)


def _plain(value: Any) -> Any:
    # Model outputs may be numpy scalars or arrays.
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} into an analysis")


def part_rejects(path: Path) -> list[tuple[str, str]]:
    """The analysis-time rejects recorded in a finished part's metadata."""
    metadata = pq.read_schema(path).metadata or {}
    return [(str(a), str(b)) for a, b in json.loads(metadata.get(REJECTED_KEY, b"[]"))]
