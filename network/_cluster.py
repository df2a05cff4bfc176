"""Run chunks of batch work on Dask distributed, or in this process, with a progress bar.

Batch work (all-origin accessibility, scenario sweeps) is split into chunks that are
independent tasks. ``scheduler`` is the address of a running Dask scheduler
(``tcp://host:8786``); without it a ``LocalCluster`` of ``workers`` processes is started for
the run and stopped after it, or with ``workers <= 1`` the chunks run in this process. Each
task is retried (``retries``) if its worker dies. The shared context (layers, assumptions, ...)
is sent to each worker once (``scatter``) and must pickle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from network._errors import InputError

#: How many times a chunk is retried on another worker when its worker dies.
RETRIES = 3


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start "
                             "one with 'dask scheduler', or leave out --scheduler") from None
        try:
            yield client
        finally:
            client.close()
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def _progress(total: int, label: str, quiet: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    disable=quiet, transient=False)


def run_chunks(task: Callable[[Any, Any], Any], context: Any, chunks: list[Any], *,
               on_result: Callable[[int, Any], None], scheduler: str | None = None,
               workers: int | None = 1, label: str = "chunks", quiet: bool = False,
               done: Iterable[int] = ()) -> int:
    """Run ``task(context, chunk)`` for each chunk not in ``done``; call ``on_result(i, result)``
    in this process as each finishes (in completion order). Returns how many chunks ran.

    ``workers=None`` means one local worker per core; never more workers than chunks.
    """
    import os

    skip = set(done)
    todo = [i for i in range(len(chunks)) if i not in skip]
    if workers is None:
        workers = os.cpu_count() or 1
    workers = max(1, min(workers, len(todo)))
    with _progress(len(chunks), label, quiet) as bar:
        job = bar.add_task(label, total=len(chunks), completed=len(chunks) - len(todo))
        if not todo:
            return 0
        if not scheduler and workers <= 1:
            for i in todo:
                on_result(i, task(context, chunks[i]))
                bar.advance(job)
            return len(todo)
        from distributed import as_completed

        with _client(scheduler, workers) as client:
            shared = client.scatter(context, broadcast=True)
            futures = {client.submit(task, shared, chunks[i], retries=RETRIES, pure=False): i
                       for i in todo}
            for future in as_completed(futures):
                on_result(futures[future], future.result())
                bar.advance(job)
                future.release()
    return len(todo)
