"""Where the chunks of a portfolio run: in this process, or on a Dask cluster (dask.distributed).

One class per strategy behind one interface (:class:`Runner`): ``map(fn, items, *shared)`` calls
``fn(item, *shared)`` for every item and yields the results **in the items' order**, so a run writes the same rows
in the same order whatever runs it (the cube is bitwise the same). ``shared`` arguments (the solved background) are
sent to each Dask worker once. Worker functions must live in an importable module of the package (shared README:
a function from ``__main__`` is pickled by value and rebuilds its state on every task).
"""

from __future__ import annotations

import logging
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from ..errors import LcaEngineError


class SchedulerError(LcaEngineError):
    title = "Dask scheduler"


#: Dask's statistical profiler samples each worker's task thread every 10 ms and holds the interpreter lock to do
#: it: measured on 600 inventories, chunk tasks took ~2x as long with it (0.7-1.3 s vs 0.36-0.55 s per 100 files).
#: Off for the workers this runner starts (a scheduler given by address runs its workers' own settings).
NO_PROFILER = {"distributed.worker.profile.enabled": False}


class _StartupLog(logging.Handler):
    """While a local cluster starts: what Dask's loggers in this process say is kept, not printed (its nannies log
    tracebacks when a worker cannot start), and the last error's cause goes into our message instead. The worker
    processes' own logs are silenced by the cluster (``silence_logs``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._logger = logging.getLogger("distributed")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> _StartupLog:
        self._saved = (self._logger.handlers[:], self._logger.propagate)
        self._logger.handlers[:] = [self]
        self._logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        self._logger.handlers[:], self._logger.propagate = self._saved

    def cause(self) -> str:
        """' (worker: ModuleNotFoundError: …)' from the last error logged with its exception, else ''."""
        for record in reversed(self.records):
            if record.exc_info and record.exc_info[1] is not None:
                err = record.exc_info[1]
                return f" (worker: {type(err).__name__}: {err})"
        return ""


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


#: Protocols of a scheduler address this runner accepts (dask.distributed's comms over a network).
PROTOCOLS = ("tcp", "tls")


def check_address(address: str) -> str:
    """``address`` if it reads as PROTOCOL://HOST:PORT (:data:`PROTOCOLS`, port 1–65535), else a
    :class:`SchedulerError` naming ``--scheduler``."""
    import re

    m = re.fullmatch(r"([a-z]+)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})", address.strip())
    if not m or m.group(1) not in PROTOCOLS or not 1 <= int(m.group(3)) <= 65535:
        raise SchedulerError(
            f"{address!r} is not a Dask scheduler address",
            fix="give it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786 (what `dask scheduler` prints)",
            field="--scheduler",
        )
    return address.strip()


def _lost(exc: Exception) -> SchedulerError:
    return SchedulerError(
        f"Dask workers died or the scheduler went away while the portfolio ran ({type(exc).__name__}: {exc})",
        fix="check the workers' memory limit and logs, then run again (nothing was written)",
    )


class _WorkersWithoutMain:
    """While a LocalCluster runs: ``__main__`` as a module without a file, so that a worker process started then
    (the Nanny also starts one to replace a worker that died) does not run the caller's ``__main__`` again, as
    multiprocessing's spawn does. Workers need none of it (their functions are in this package), and the caller's
    may not run there: a Streamlit page (Streamlit installs the page as ``__main__``), or a script without the
    ``if __name__ == "__main__"`` guard, would stop the worker ("Nanny failed to start") or start clusters in it."""

    def __init__(self) -> None:
        self.saved = sys.modules["__main__"]
        if getattr(self.saved, "__file__", None) is not None:
            sys.modules["__main__"] = types.ModuleType("__main__")

    def restore(self) -> None:
        sys.modules["__main__"] = self.saved


def _cluster_errors() -> tuple[type[Exception], ...]:
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    return (KilledWorker, CommClosedError)


class DaskRunner:
    """Chunks as Dask tasks: on a running scheduler (``address``, ``tcp://HOST:PORT``) or on a ``LocalCluster``
    of ``workers`` processes started here (one thread each: the work is numpy and Python, and two threads of one
    process would contend for the interpreter)."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self._cluster = None
        self._main = None
        self.client = self._connect(address) if address else self._start_local(workers or 1)
        self.workers = len(self.client.scheduler_info()["workers"])

    @staticmethod
    def _connect(address: str):
        from distributed import Client

        try:
            return Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="start one (`dask scheduler`, then `dask worker ADDRESS`) and pass its address as "
                "tcp://HOST:PORT, or use --workers N for workers on this machine",
                field="--scheduler",
            ) from None

    def _start_local(self, workers: int):
        import dask
        from distributed import Client, LocalCluster

        self._main = _WorkersWithoutMain()
        try:
            with _StartupLog() as log, dask.config.set(NO_PROFILER):
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.CRITICAL,
                )
                return Client(self._cluster)
        except (RuntimeError, OSError, TimeoutError) as exc:
            self._main.restore()
            raise SchedulerError(
                f"{workers} local Dask worker process(es) could not start: {exc}{log.cause()}",
                fix="check the machine's free memory and process limits, and the Dask settings of this environment "
                "(DASK_* variables, ~/.config/dask), or run with one process (no --workers)",
                field="--workers",
            ) from None
        except BaseException:
            self._main.restore()
            raise

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        """Results in order; a task whose workers kept dying, or a lost connection, is a :class:`SchedulerError`."""
        try:
            yield from self._map(fn, items, *shared)
        except _cluster_errors() as exc:
            raise _lost(exc) from None

    def _map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        # hash=False: a key of its own per map, never one a previous map is releasing (same object, same hash)
        sent = [self.client.scatter(s, broadcast=True, hash=False) for s in shared]
        pending = []
        for item in items:
            pending.append(self.client.submit(fn, item, *sent, pure=False))
            if len(pending) > AHEAD * self.workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()

    def close(self) -> None:
        try:
            self.client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            if self._main is not None:
                self._main.restore()
