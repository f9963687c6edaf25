"""Executors behind one protocol: serial, a local process pool (default), and Dask distributed.

All three take a picklable function and an iterable of work items and yield results as they finish,
keeping a bounded number of items in flight so memory does not grow with the input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs `fn` over items, yielding results in completion order."""

    name: str

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply `fn` to every item; yield each result as soon as it is ready."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


class SerialExecutor:
    """In-process, one item at a time: for tests, debugging and tiny inputs."""

    name = "serial"

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        return None


def _drain(submit: Callable[[T], Future[R]], items: Iterable[T], max_in_flight: int) -> Iterator[R]:
    """Keep at most `max_in_flight` futures pending; yield results as they complete."""
    pending: set[Future[R]] = set()
    for item in items:
        pending.add(submit(item))
        if len(pending) >= max_in_flight:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()


class LocalExecutor:
    """A stdlib process pool; workers are recycled to contain leaks in long runs."""

    name = "local"

    def __init__(self, workers: int | None = None, max_tasks_per_child: int = 500) -> None:
        self.workers = workers or max(1, (os.cpu_count() or 1))
        self._pool = ProcessPoolExecutor(max_workers=self.workers, max_tasks_per_child=max_tasks_per_child)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return _drain(lambda item: self._pool.submit(fn, item), items, self.workers * 4)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: a `LocalCluster` when no address is given, else the scheduler at `address`."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = 1) -> None:
        try:
            import distributed
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("the Dask executor needs the 'dask' extra: pip install 'ganzhi[dask]'") from exc
        self._distributed: Any = distributed
        Client: Any = distributed.Client
        LocalCluster: Any = distributed.LocalCluster
        self._cluster: Any = None
        if address:
            self._client: Any = Client(address)
        else:
            self._cluster = LocalCluster(
                n_workers=workers or max(1, os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
        self.retries = retries
        self._in_flight = 4 * max(1, len(self._client.scheduler_info().get("workers", {})) or 1)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        def submit(item: T) -> Future[R]:
            return self._client.submit(fn, item, pure=False, retries=self.retries)  # type: ignore[no-any-return]

        batch: list[Any] = []
        iterator = iter(items)
        for item in iterator:
            batch.append(submit(item))
            if len(batch) >= self._in_flight:
                break
        completed = self._distributed.as_completed(batch)
        for future in completed:
            yield future.result()
            nxt = next(iterator, _END)
            if nxt is not _END:
                completed.add(submit(nxt))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


_END: Any = object()


def make_executor(name: str = "local", *, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Build the executor a CLI option names: 'serial', 'local' or 'dask' (a scheduler address implies dask)."""
    if scheduler:
        return DaskExecutor(scheduler, workers)
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    if name == "dask":
        return DaskExecutor(None, workers)
    raise ValueError(f"unknown executor {name!r}; expected 'serial', 'local' or 'dask'")
