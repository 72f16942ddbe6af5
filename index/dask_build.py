"""Running a build's shard jobs in parallel on Dask: a local cluster on loopback, or a given scheduler.

Each job is one call of the same function a single-process build makes (so both builds write
the same index); the workers read the corpus files themselves and write to the shards' writable
servers, and only what each job collected (article rows, skipped files) comes back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

log = logging.getLogger("newsdesk.index")
T = TypeVar("T")

#: ``scheduler`` value that starts a cluster for the build on this machine.
LOCAL = "local"


def run_all(scheduler: str, job: Callable[..., T], arguments: Sequence[tuple[Any, ...]]) -> list[T]:
    """``job(*args)`` for every ``args``, each a task on the cluster; results in the order given.

    With ``scheduler == "local"`` a ``LocalCluster`` is started for the build and stopped after
    it: one single-threaded worker process per job (up to the cores there are), every socket on
    127.0.0.1, no dashboard. Otherwise ``scheduler`` is the address of a running scheduler.
    """
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        workers = max(1, min(len(arguments), os.cpu_count() or 1))
        with (
            LocalCluster(
                host="127.0.0.1", n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            return _gather(client, job, arguments)
    with Client(scheduler) as client:
        return _gather(client, job, arguments)


def _gather(client: Any, job: Callable[..., T], arguments: Sequence[tuple[Any, ...]]) -> list[T]:
    log.info("building %d shards on Dask (%s)", len(arguments), client.scheduler.address)
    # pure=False: two jobs with equal arguments (two empty shards) are still two jobs.
    futures = [client.submit(job, *args, pure=False) for args in arguments]
    return list(client.gather(futures))
