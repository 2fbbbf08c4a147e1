"""``critica batch``: analyse any number of review files into Parquet, partition by partition.

The coordinator reads the inputs as one stream, cuts it into fixed-size
partitions and hands each to an engine. Partition ``i`` is always the same rows
for the same inputs and partition size, so a re-run with ``resume`` skips the
parts already written and redoes only those in flight when it stopped. A
manifest in the output folder records what the run was over; a resume over
other inputs or other models is refused rather than mixing results.
"""

from __future__ import annotations

import glob
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from critica.batch.engines import Engine, make_engine
from critica.batch.partition import PART_GLOB, part_path, part_rejects
from critica.errors import InputError
from critica.inputs.readers import ReadOptions, Record, Rejected, estimate_rows, iter_paths, read
from critica.models import shipped_version
from critica.rules import write_atomic

MANIFEST = "_critica_batch.json"
REJECTED_FILE = "rejected.jsonl"
FORMAT = 1
MIN_AUTO_PARTITION, MAX_AUTO_PARTITION = 20, 2000
Progress = Callable[[int], None]


@dataclass
class BatchOptions:
    partition_size: int = 0  # 0: from the input size (see ``auto_partition_size``)
    workers: int = 0  # 0: every core
    engine: str = "local"
    scheduler: str | None = None
    resume: bool = False
    disable: tuple[str, ...] = ()
    batch_size: int = 64
    read: ReadOptions = field(default_factory=lambda: ReadOptions(require_title=False))


@dataclass
class BatchSummary:
    """What a batch run did."""

    out: Path
    written: int = 0  # analyses written by this run
    kept: int = 0  # analyses in parts a resumed run found finished
    partitions: int = 0
    skipped_partitions: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = "local"
    slots: int = 1
    workers: list[dict[str, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.written / max(self.seconds, 1e-9)


def expand(inputs: list[str]) -> list[Path]:
    """Paths and glob patterns (quoted so the shell leaves them) to the files they name."""
    paths: list[Path] = []
    for item in inputs:
        if glob.has_magic(item) and not Path(item).exists():
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputError(f"no file matches {item!r}; check the pattern and the folder")
            paths += [Path(m) for m in matches]
        else:
            paths.append(Path(item))
    return paths


def _fingerprint(paths: list[Path]) -> list[dict[str, Any]]:
    files = []
    for item in iter_paths(paths):
        if isinstance(item, Rejected):
            raise InputError(f"{item.source}: {item.reason}")
        stat = item.stat()
        files.append({"path": str(item.resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns})
    if not files:
        raise InputError("no readable input files (.jsonl, .csv, .parquet, .txt, .html)")
    return files


def auto_partition_size(rows: int) -> int:
    """About 32 partitions for a small input, so every core of a machine (or a few
    machines) gets work; 2,000 rows each for a large one (parts of a few MiB). Depends
    only on the inputs, so a resumed run cuts the same partitions whatever --workers."""
    return max(MIN_AUTO_PARTITION, min(MAX_AUTO_PARTITION, -(-rows // 32)))


def _plan(paths: list[Path], options: BatchOptions, rows: int | None) -> dict[str, Any]:
    size = options.partition_size or auto_partition_size(
        estimate_rows(paths) if rows is None else rows
    )
    return {
        "format": FORMAT,
        "inputs": _fingerprint(paths),
        "partition_size": size,
        "mapping": options.read.mapping,
        "defaults": options.read.defaults,
        "disable": sorted(options.disable),
        "model_version": shipped_version(),
    }


def prepare_out(out: Path, plan: dict[str, Any], resume: bool) -> set[int]:
    """Check (or create) the output folder; the indices of parts already finished.

    Never deletes or overwrites finished work: a folder holding another run, or
    anything else, is refused with the way out.
    """
    manifest = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder for the Parquet parts")
    if manifest.exists():
        try:
            before = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InputError(f"{manifest} is unreadable ({exc}); choose another --out") from None
        if not resume and before.get("complete"):
            raise InputError(
                f"{out} already holds a finished batch run ({before.get('analyses', '?')} "
                f"analyses in {before.get('partitions', '?')} parts); nothing was changed. "
                f"Use it (critica aggregate {out}), or choose another --out to run again"
            )
        if not resume:
            raise InputError(
                f"{out} holds an unfinished batch run; add --resume to finish it, "
                "or choose another --out"
            )
        changed = [k for k in plan if k != "inputs" and before.get(k) != plan[k]]
        if before.get("inputs") != plan["inputs"]:
            changed.insert(0, "inputs")
        if changed:
            raise InputError(
                f"cannot resume {out}: {', '.join(changed)} changed since it was written "
                "(a resumed run must see the same inputs, options and models); "
                "choose another --out to start afresh"
            )
    elif out.exists() and any(not p.name.endswith(".tmp") for p in out.iterdir()):
        raise InputError(
            f"{out} is not empty and holds no critica batch run; choose an empty or new --out"
        )
    else:
        out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.tmp"):  # a part (or manifest) being written when a run died
        stale.unlink()
    if not manifest.exists():
        _write_json(manifest, {**plan, "complete": False})
    return {int(p.name[5:10]) for p in out.glob(PART_GLOB)}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, default=str) + "\n"
    write_atomic(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def partitions(
    records: Iterator[Record | Rejected], size: int, rejected: list[Rejected]
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Cut the record stream into numbered partitions of ``size`` rows (rejects set aside)."""
    index, rows = 0, []
    for item in records:
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        f = item.fields
        rows.append({**f, "id": str(f.get("id") or item.source), "source": item.source})
        if len(rows) == size:
            yield index, rows
            index, rows = index + 1, []
    if rows:
        yield index, rows


def run_batch(
    inputs: list[Path],
    out: Path,
    options: BatchOptions | None = None,
    *,
    progress: Progress | None = None,
    engine: Engine | None = None,
    rows: int | None = None,
) -> BatchSummary:
    """Analyse every review in ``inputs`` into Parquet parts under ``out``.

    The local engine starts worker processes with ``spawn``: a script that calls
    this must do so under ``if __name__ == "__main__":``, as with any
    ``multiprocessing`` code. Pass ``engine`` to reuse warm workers across runs, and
    ``rows`` when ``estimate_rows(inputs)`` is already known (it sizes the partitions).
    """
    options = options or BatchOptions()
    if options.partition_size < 0:
        raise InputError("--partition-size must be at least 1 (or 0: chosen from the input size)")
    start = time.perf_counter()
    plan = _plan(inputs, options, rows)
    done = prepare_out(out, plan, options.resume)
    own_engine = engine is None
    engine = engine or make_engine(
        options.engine, options.workers, options.scheduler, disable=options.disable
    )
    summary = BatchSummary(out=out, engine=engine.name, slots=engine.slots)
    summary.kept = sum(pq.ParquetFile(part_path(out, i)).metadata.num_rows for i in done)
    if progress and summary.kept:
        progress(summary.kept)
    analysis_rejects: list[tuple[str, str]] = []
    for i in sorted(done):
        analysis_rejects += part_rejects(part_path(out, i))

    size = int(plan["partition_size"])

    def tasks() -> Iterator[tuple[Any, ...]]:
        for index, rows in partitions(read(inputs, options.read), size, summary.rejected):
            summary.partitions += 1
            if index in done:
                summary.skipped_partitions += 1
                continue
            yield (index, rows, str(out), options.disable, options.batch_size, engine.threads)

    try:
        for result in engine.map(tasks()):
            summary.written += result.rows
            summary.notes += result.notes
            analysis_rejects += result.rejected
            if progress:
                progress(result.rows + len(result.rejected))
        summary.workers = engine.workers()
    finally:
        if own_engine:
            engine.close()
    summary.rejected += [Rejected(source, reason) for source, reason in analysis_rejects]
    with (out / REJECTED_FILE).open("w", encoding="utf-8") as fh:
        for r in summary.rejected:
            fh.write(json.dumps({"source": r.source, "reason": r.reason}) + "\n")
    summary.seconds = time.perf_counter() - start
    _write_json(
        out / MANIFEST,
        {
            **plan,
            "complete": True,
            "analyses": summary.written + summary.kept,
            "rejected": len(summary.rejected),
            "partitions": summary.partitions,
        },
    )
    return summary
