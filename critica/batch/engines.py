"""Where partitions run: this process, a pool of local worker processes, or a Dask cluster.

Each engine takes the same task tuples and runs the same ``analyze_partition``;
only the transport differs. Every engine keeps a bounded number of partitions
in flight, so memory stays flat however large the input is.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, Protocol

from critica.batch.partition import PartResult, analyze_partition, use_threads, worker_info
from critica.errors import CriticaError

Task = tuple[Any, ...]  # the positional arguments of ``analyze_partition``


class Engine(Protocol):
    name: str
    slots: int  # partitions that can run at once
    threads: int  # inference threads per partition (0: the ``threads`` setting)

    def map(self, tasks: Iterable[Task]) -> Iterator[PartResult]:
        """Run every task, yielding each result as it finishes (not in order)."""
        ...

    def workers(self) -> list[dict[str, int]]:
        """Each worker's pid and pipeline-load count, where the engine can ask."""
        ...

    def close(self) -> None: ...


class SerialEngine:
    """One process: the baseline every other engine is measured against."""

    name = "local"
    slots = 1
    threads = 0  # the ``threads`` setting: one process may use every core for inference

    def map(self, tasks: Iterable[Task]) -> Iterator[PartResult]:
        for task in tasks:
            yield analyze_partition(*task)

    def workers(self) -> list[dict[str, int]]:
        return [worker_info()]

    def close(self) -> None:
        pass


def _start_worker(threads: int, disable: tuple[str, ...]) -> None:
    # Ctrl-C reaches the whole process group; the coordinator alone answers it (and
    # says how to resume), so a worker never prints a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    use_threads(threads)
    # Load the models now, once for this process, not inside the first partition's timing.
    from critica.core import get_pipeline

    get_pipeline(frozenset(disable))


class LocalEngine:
    """A pool of worker processes on this machine, each with its own model load."""

    name = "local"

    def __init__(self, workers: int, threads: int = 1, disable: tuple[str, ...] = ()) -> None:
        self.slots = workers
        self.threads = threads
        self.window = 2 * workers  # enough queued to keep every worker busy, no more
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),  # no fork: the parent may hold threads and locks
            initializer=_start_worker,
            initargs=(threads, disable),
        )
        self._seen: dict[int, dict[str, int]] = {}

    def map(self, tasks: Iterable[Task]) -> Iterator[PartResult]:
        pending: set[Future[PartResult]] = set()
        it = iter(tasks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < self.window:
                task = next(it, None)
                if task is None:
                    exhausted = True
                else:
                    pending.add(self._submit(task))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise CriticaError(
                        "a batch worker process died (killed, or out of memory); the parts "
                        "already written are kept: re-run with --resume to finish, with "
                        "fewer --workers or a smaller --partition-size if memory is short"
                    ) from None
                self._seen[result.pid] = {
                    "pid": result.pid,
                    "pipeline_loads": result.pipeline_loads,
                }
                yield result

    def _submit(self, task: Task) -> Future[PartResult]:
        """Submit a partition; a worker process started here ignores Ctrl-C from birth
        (an ignored signal stays ignored across exec, and Python then installs no
        KeyboardInterrupt handler), closing the gap before its initializer runs."""
        if threading.current_thread() is not threading.main_thread():
            return self.pool.submit(analyze_partition, *task)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return self.pool.submit(analyze_partition, *task)
        finally:
            signal.signal(signal.SIGINT, previous)

    def workers(self) -> list[dict[str, int]]:
        return list(self._seen.values())

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Partitions as Dask tasks: on a scheduler you name, or on a local cluster started here."""

    name = "dask"

    def __init__(
        self, scheduler: str | None, workers: int, threads: int = 1, timeout: float = 30
    ) -> None:
        self.client, self.cluster = dask_client(scheduler, workers, timeout)
        self.threads = threads
        nthreads = self.client.nthreads()
        if not nthreads:
            self.client.wait_for_workers(1, timeout=timeout)
            nthreads = self.client.nthreads()
        self.slots = sum(nthreads.values())
        self.window = 2 * self.slots

    def map(self, tasks: Iterable[Task]) -> Iterator[PartResult]:
        from distributed import as_completed

        it = iter(tasks)
        running = as_completed()
        queued = 0

        def submit_next() -> bool:
            task = next(it, None)
            if task is None:
                return False
            future = self.client.submit(analyze_partition, *task, pure=False)
            running.add(future)
            return True

        while queued < self.window and submit_next():
            queued += 1
        for future in running:
            result: PartResult = future.result()
            yield result
            submit_next()

    def workers(self) -> list[dict[str, int]]:
        info: dict[str, dict[str, int]] = self.client.run(worker_info)
        return list(info.values())

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def dask_client(scheduler: str | None, workers: int, timeout: float = 30) -> tuple[Any, Any]:
    """A client of the named scheduler, or of a local cluster of ``workers`` processes
    (one thread each) started here; ``(client, cluster or None)``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise CriticaError(
            "the dask engine needs Dask: pip install 'critica[batch]' (or use --engine local)"
        ) from None
    try:
        if scheduler:
            return Client(scheduler, timeout=timeout), None
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # its status page: loopback, any free port
            host="127.0.0.1",
        )
        return Client(cluster), cluster
    except (OSError, TimeoutError) as exc:
        raise CriticaError(
            f"cannot reach the Dask scheduler {scheduler}: {exc}; start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out "
            "--scheduler to use a local cluster"
        ) from None


def make_engine(
    engine: str,
    workers: int,
    scheduler: str | None = None,
    threads: int | None = None,
    disable: tuple[str, ...] = (),
) -> Engine:
    """The engine for ``--engine`` / ``--workers`` / ``--scheduler``."""
    if workers < 0:
        raise CriticaError(f"--workers must be 0 (all cores) or more, not {workers}")
    workers = workers or os.cpu_count() or 1
    if engine == "local":
        if scheduler:
            raise CriticaError(
                "--scheduler is for --engine dask; leave it out or add --engine dask"
            )
        if workers == 1:
            return SerialEngine()
        return LocalEngine(workers, threads=threads or 1, disable=disable)
    if engine == "dask":
        return DaskEngine(scheduler, workers, threads=threads or 1)
    raise CriticaError(f"unknown engine {engine!r}; choose local or dask")
