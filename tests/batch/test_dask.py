"""The Dask engine on a real cluster: a `dask scheduler` and two `dask worker` processes on
loopback. Its results must be identical to the local engine's."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from critica.batch import BatchOptions, aggregate, run_batch
from critica.errors import CriticaError

from .conftest import read_out

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import free_port

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    address = f"tcp://127.0.0.1:{free_port()}"
    logs = tmp_path_factory.mktemp("dask")
    common = {"stdout": subprocess.DEVNULL, "cwd": logs}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                address.rsplit(":", 1)[1],
                "--no-dashboard",
            ],
            stderr=(logs / "scheduler.log").open("w"),
            **common,
        )
    ]
    for n in range(2):
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dask",
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stderr=(logs / f"worker{n}.log").open("w"),
                **common,
            )
        )
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture(scope="module")
def dask_run(scheduler, inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("dask") / "analyses"
    options = BatchOptions(partition_size=12, engine="dask", scheduler=scheduler)
    return out, run_batch(inputs, out, options)


def test_dask_results_are_identical_to_the_local_engines(dask_run, local_run):
    assert dask_run[1].engine == "dask" and dask_run[1].slots == 2
    assert read_out(dask_run[0]).equals(read_out(local_run[0]))
    assert len(dask_run[1].rejected) == len(local_run[1].rejected)


def test_each_dask_worker_loads_the_models_once(dask_run):
    workers = dask_run[1].workers
    assert len(workers) == 2
    assert all(w["pipeline_loads"] <= 1 for w in workers)  # 0: a worker that got no partition
    assert sum(w["pipeline_loads"] for w in workers) >= 1


def test_dask_aggregation_equals_the_local_one(dask_run, scheduler):
    local = aggregate(dask_run[0])
    on_dask = aggregate(dask_run[0], engine="dask", scheduler=scheduler)
    assert on_dask.equals(local)


def test_calibrated_dask_aggregation_equals_the_local_one(dask_run, scheduler):
    from critica.figures import calibration
    from critica.store.records import RatedReview

    history = [
        RatedReview(t, critic, pub, 40.0 + 4 * t + lean, 40.0 + 4 * t + lean + gap)
        for t in range(12)
        for pub, critic, lean, gap in (
            ("Lumen Film Journal", "Hannah Brandt", 10.0, 0.0),
            ("The Open Screen", "Daniela Ruiz", 0.0, -8.0),
            ("Staticline", "Tobias Lindgren", 0.0, 0.0),
        )
    ]
    fitted = calibration.fit(history)
    local = aggregate(dask_run[0], calibration=fitted)
    on_dask = aggregate(dask_run[0], engine="dask", scheduler=scheduler, calibration=fitted)
    assert on_dask.equals(local) and on_dask.schema.metadata == local.schema.metadata
    assert not local.equals(aggregate(dask_run[0]))  # the calibration did move some scores


def test_an_unreachable_scheduler_is_a_clear_error(inputs, tmp_path):
    from critica.batch.engines import DaskEngine

    start = time.perf_counter()
    with pytest.raises(CriticaError, match="cannot reach the Dask scheduler"):
        DaskEngine(f"tcp://127.0.0.1:{free_port()}", workers=1, timeout=3)
    assert time.perf_counter() - start < 30


def test_a_local_dask_cluster_when_no_scheduler_is_named(inputs, local_run, tmp_path: Path):
    out = tmp_path / "analyses"
    summary = run_batch(inputs, out, BatchOptions(partition_size=12, engine="dask", workers=2))
    assert summary.engine == "dask"
    assert read_out(out).equals(read_out(local_run[0]))
