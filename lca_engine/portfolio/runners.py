"""Where the chunks of a portfolio run: in this process, or on a Dask cluster (dask.distributed).

One class per strategy behind one interface (:class:`Runner`): ``map(fn, items, *shared)`` calls
``fn(item, *shared)`` for every item and yields the results **in the items' order**, so a run writes the same rows
in the same order whatever runs it (the cube is bitwise the same). ``shared`` arguments (the solved background) are
sent to each Dask worker once. Worker functions must live in an importable module of the package (shared README:
a function from ``__main__`` is pickled by value and rebuilds its state on every task).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from ..errors import LcaEngineError


class SchedulerError(LcaEngineError):
    title = "Dask scheduler"


class Runner(Protocol):
    workers: int

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator: ...

    def close(self) -> None: ...


class LocalRunner:
    """Every chunk in this process, one after the other."""

    workers = 1

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        for item in items:
            yield fn(item, *shared)

    def close(self) -> None:
        pass


#: Seconds to reach a scheduler given by address before saying it is unreachable.
CONNECT_TIMEOUT = 10
#: Chunks per worker handed to the cluster ahead of the one being written: bounds the results held in memory.
AHEAD = 4


def _lost(exc: Exception) -> SchedulerError:
    return SchedulerError(
        f"Dask workers died or the scheduler went away while the portfolio ran ({type(exc).__name__}: {exc})",
        fix="check the workers' memory limit and logs, then run again (nothing was written)",
    )


def _cluster_errors() -> tuple[type[Exception], ...]:
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    return (KilledWorker, CommClosedError)


class DaskRunner:
    """Chunks as Dask tasks: on a running scheduler (``address``, ``tcp://HOST:PORT``) or on a ``LocalCluster``
    of ``workers`` processes started here (one thread each: the work is numpy and Python, and two threads of one
    process would contend for the interpreter)."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        try:
            if address:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
            else:
                self._cluster = LocalCluster(
                    n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="start one (`dask scheduler`, then `dask worker ADDRESS`) and pass its address as "
                "tcp://HOST:PORT, or use --workers N for workers on this machine",
                field="--scheduler",
            ) from None
        self.workers = len(self.client.scheduler_info()["workers"])

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        """Results in order; a task whose workers kept dying, or a lost connection, is a :class:`SchedulerError`."""
        try:
            yield from self._map(fn, items, *shared)
        except _cluster_errors() as exc:
            raise _lost(exc) from None

    def _map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        sent = [self.client.scatter(s, broadcast=True) for s in shared]
        pending = []
        for item in items:
            pending.append(self.client.submit(fn, item, *sent, pure=False))
            if len(pending) > AHEAD * self.workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
