"""The RQ worker, tuned so that a job of a dead worker is picked up within about a minute.

RQ notices a dead worker's job only when the job's heartbeat has expired (RQ's TTL is the
monitoring interval + 60 s; here + 2 monitoring intervals) and a live worker then cleans
the queue's registries, which RQ does every ``maintenance_interval`` (10 min by default)
and only between jobs. This worker also cleans while its own job runs, and idles on the
queue no longer than the maintenance interval. With the defaults (10 s, 30 s), a job
whose worker was SIGKILLed is requeued at most 10 + 20 + 30 = 60 s later, and picked up
at once by an idle worker, or when a busy one finishes its job.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.executions import Execution
from rq.job import Job

from crawler.process import die_with_parent
from crawler.queue import QUEUE
from crawler.queue.jobs import WORKER_OVERRIDES

MONITOR_INTERVAL = 10
MAINTENANCE_INTERVAL = 30
# RQ reads its command channel in a thread, 60 s at a time, and closing the channel on exit
# waits for that read to end (redis-py 8): a finished worker could take a minute to exit.
COMMAND_POLL = 1.0


class CrawlWorker(Worker):
    """RQ's forking worker, with a short heartbeat and registry cleaning during jobs.

    ``overrides`` (``config``, ``data_dir``) win over the paths each job names.
    """

    def __init__(
        self,
        *args: Any,
        heartbeat_grace: int = 2 * MONITOR_INTERVAL,
        overrides: Mapping[str, str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.heartbeat_grace = heartbeat_grace
        self.overrides = dict(overrides or {})
        self.main_pid = os.getpid()

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + self.heartbeat_grace

    def maintain_heartbeats(self, job: Job, execution: Any) -> None:
        super().maintain_heartbeats(job, execution)
        if self.should_run_maintenance_tasks:
            self.clean_registries()  # type: ignore[no-untyped-call]

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        # The job function runs in here, in the work horse; it reads the overrides then.
        token = WORKER_OVERRIDES.set(self.overrides)
        try:
            return super().perform_job(job, queue, execution)
        finally:
            WORKER_OVERRIDES.reset(token)

    def subscribe(self) -> None:
        """RQ's command channel (``rq.command``), read in slices of ``COMMAND_POLL``."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]  # RQ types it None
            sleep_time=COMMAND_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def setup_work_horse_signals(self) -> None:
        super().setup_work_horse_signals()  # type: ignore[no-untyped-call]
        die_with_parent(self.main_pid)


@dataclass(frozen=True, kw_only=True)
class WorkerOptions:
    redis_url: str
    queue: str = QUEUE
    name: str | None = None
    burst: bool = False
    monitor_interval: int = MONITOR_INTERVAL
    maintenance_interval: int = MAINTENANCE_INTERVAL
    overrides: dict[str, str] = field(default_factory=dict)
    """The worker's own ``config`` and ``data_dir``, over each job's."""


def default_name() -> str:
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


def make_worker(options: WorkerOptions) -> CrawlWorker:
    redis = Redis.from_url(options.redis_url)
    return CrawlWorker(
        [Queue(options.queue, connection=redis)],
        name=options.name or default_name(),
        connection=redis,
        job_monitoring_interval=options.monitor_interval,
        heartbeat_grace=2 * options.monitor_interval,
        overrides=options.overrides,
        maintenance_interval=options.maintenance_interval,
        # An idle worker blocks on the queue for worker_ttl - 15 s between cleanings.
        worker_ttl=options.maintenance_interval + 15,
    )


def run_worker(options: WorkerOptions) -> bool:
    """Work until stopped (or, with ``burst``, until the queue is empty)."""
    worker = make_worker(options)
    return bool(worker.work(burst=options.burst, logging_level="INFO"))
