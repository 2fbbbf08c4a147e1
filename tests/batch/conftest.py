"""Batch fixtures: a small input set (the demo reviews three times, a positional CSV and bad
rows) and one finished run of each engine, shared by the module's tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from critica.batch import BatchOptions, run_batch
from critica.batch.run import BatchSummary

Run = tuple[Path, BatchSummary]
DEMO = Path(__file__).resolve().parents[2] / "critica" / "demo" / "reviews.jsonl"


def read_out(out: Path) -> pa.Table:
    """Every part of a batch folder, in partition order."""
    return pa.concat_tables([pq.read_table(p) for p in sorted(out.glob("part-*.parquet"))])


@pytest.fixture(scope="session")
def reviews() -> dict[str, int]:
    return {"good": 57, "bad": 3}


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("inputs")
    demo = [json.loads(line) for line in DEMO.read_text().splitlines() if line.strip()]
    rows = [{**r, "id": f"{r['id']}-{copy}"} for copy in range(3) for r in demo]
    rows[5] = {**rows[5], "rating": "eleven out of ten-ish"}  # scored from text, with a note
    with (folder / "reviews.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
        fh.write("not json\n")
        fh.write(json.dumps({"id": "empty", "text": " ", "title": "X"}) + "\n")
        fh.write(json.dumps({"id": "nul", "text": "bin\x00ary", "title": "X"}) + "\n")
    # No id column: the key is the row's position; no title: the review is still analysed.
    with (folder / "positional.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text"])
        writer.writerow(["A tender, funny film with a superb lead performance."])
        writer.writerow(["Dull, overlong and badly written; I could not wait for it to end."])
        writer.writerow(["The cast is wonderful but the script lets them down."])
    return [folder / "reviews.jsonl", folder / "positional.csv"]


def _run(factory: pytest.TempPathFactory, inputs: list[Path], workers: int) -> Run:
    out = factory.mktemp(f"workers{workers}") / "analyses"
    return out, run_batch(inputs, out, BatchOptions(partition_size=12, workers=workers))


@pytest.fixture(scope="session")
def local_run(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Two worker processes."""
    return _run(tmp_path_factory, inputs, 2)


@pytest.fixture(scope="session")
def serial_run(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One process: the baseline."""
    return _run(tmp_path_factory, inputs, 1)
