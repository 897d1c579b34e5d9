"""Concurrency inside one stream: requests in flight on a few threads, records streamed out in bounded memory.

Why here and not the CDK's ConcurrentSourceAdapter/StreamFacade (airbyte-cdk.md §3.3): the facade reads only the
first page of a stream without an explicit cursor, ignores incoming state, allows one partition per stream
without slice boundaries, and is experimental. Our parallelism is not "several partitions of a stream" anyway:
it is a tree walk whose next requests are discovered by the previous ones, across many pages at once. The CDK's
AbstractSource still reads the streams one after the other; each stream's read runs this pool.

The work is organised in groups (a page and everything under it). Tasks of earlier groups run first, so groups
complete roughly in order and a checkpoint can say "every group up to here is done". Records go to the reader
through a bounded queue: when the reader is slow, workers wait, and memory stays flat whatever the workspace size.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

G = TypeVar("G")

_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class GroupsDone(Generic[G]):
    """Every group admitted up to and including `last` is complete; `count` groups completed since the last one."""

    last: G
    count: int


class Task:
    """What a task can do: emit records, and start more tasks in its group."""

    def __init__(self, pool: _Run[Any], group_seq: int) -> None:
        self._run = pool
        self._group_seq = group_seq

    def emit(self, record: Any) -> None:
        self._run.put(("record", record))

    def spawn(self, fn: Callable[..., None], *args: Any) -> None:
        self._run.schedule(self._group_seq, fn, args)


class WorkPool:
    def __init__(self, workers: int, output_capacity: int = 1000, groups_in_flight: int | None = None) -> None:
        self.workers = max(1, workers)
        self.output_capacity = output_capacity
        self.groups_in_flight = groups_in_flight or max(4 * self.workers, 16)

    def run(self, groups: Iterable[G], start: Callable[[Task, G], None]) -> Generator[Any | GroupsDone[G]]:
        """Runs `start(task, group)` for every group on the pool; yields records as they come, and a GroupsDone
        whenever the completed prefix of the groups grows. A task's exception stops everything and is raised here."""
        return _Run(self, iter(groups), start).results()


class _Run(Generic[G]):
    def __init__(self, pool: WorkPool, groups: Iterator[G], start: Callable[[Task, G], None]) -> None:
        self._pool = pool
        self._groups = groups
        self._start = start
        self._tasks: queue.PriorityQueue[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = queue.PriorityQueue()
        self._out: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=pool.output_capacity)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[int, int] = {}  # group seq -> tasks not finished
        self._tie = itertools.count()

    # called from worker threads
    def put(self, item: tuple[str, Any]) -> None:
        while not self._stop.is_set():
            try:
                self._out.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def schedule(self, seq: int, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        with self._lock:
            self._pending[seq] += 1
        self._tasks.put((seq, next(self._tie), fn, args))

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                seq, _, fn, args = self._tasks.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                fn(Task(self, seq), *args)
            except BaseException as error:  # noqa: BLE001 - handed to the reader, who raises it
                self.put(("error", error))
                self._stop.set()
                return
            with self._lock:
                self._pending[seq] -= 1
                finished = self._pending[seq] == 0
                if finished:
                    del self._pending[seq]
            if finished:
                self.put(("group_done", seq))

    # the reader's side
    def results(self) -> Generator[Any]:  # a generator: closing it stops the workers
        threads = [threading.Thread(target=self._work, daemon=True) for _ in range(self._pool.workers)]
        for thread in threads:
            thread.start()
        admitted: dict[int, G] = {}
        done: set[int] = set()
        next_seq = 0  # next group to admit
        reported = 0  # groups below this are reported complete
        exhausted = False
        try:
            while True:
                while not exhausted and next_seq - reported < self._pool.groups_in_flight:
                    group = next(self._groups, _END)
                    if group is _END:
                        exhausted = True
                        break
                    admitted[next_seq] = group
                    with self._lock:
                        self._pending[next_seq] = 0
                    self.schedule(next_seq, self._start, (group,))
                    next_seq += 1
                if exhausted and reported == next_seq:
                    return
                kind, payload = self._out.get()
                if kind == "record":
                    yield payload
                elif kind == "group_done":
                    done.add(payload)
                    count = 0
                    while reported in done:
                        done.discard(reported)
                        last = admitted.pop(reported)
                        reported += 1
                        count += 1
                    if count:
                        yield GroupsDone(last, count)
                else:
                    raise payload
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=5)


_END: Any = object()
