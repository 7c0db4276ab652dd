"""The background worker: a Huey consumer running duban's jobs and its periodic schedule.

`duban worker` calls `run`. SIGTERM (systemd, Docker, `kill`) and Ctrl-C stop
it gracefully: the jobs running finish, nothing new starts. A second signal
stops at once.
"""

from __future__ import annotations

import logging

from huey.consumer import Consumer

from duban.jobs import get_jobs

__all__ = ["DEFAULT_WORKERS", "RoutineJobLines", "create_consumer", "run"]

DEFAULT_WORKERS = 2

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Jobs that run every minute: Huey's "Executing …" / "… executed in" lines for them would bury
# everything else in the log; the job logs itself when it did something.
ROUTINE_JOBS = ("duban.jobs.deliver_notifications:",)


class RoutineJobLines(logging.Filter):
    """Drops Huey's per-run INFO lines for the every-minute jobs; warnings and errors still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(job in message for job in ROUTINE_JOBS)


def create_consumer(workers: int = DEFAULT_WORKERS, *, periodic: bool = True) -> Consumer:
    """A consumer of the configured queue with `workers` threads and, unless disabled, the scheduler."""
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    huey = get_jobs().huey
    # Logger filters do not apply to child loggers: the scheduler logs as its own.
    for name in ("huey", "huey.consumer.Scheduler"):
        chatty = logging.getLogger(name)
        if not any(isinstance(f, RoutineJobLines) for f in chatty.filters):
            chatty.addFilter(RoutineJobLines())
    consumer: Consumer = huey.create_consumer(
        workers=workers,
        periodic=periodic,
        worker_type="thread",
        graceful_signal="TERM",
        check_worker_health=True,
    )
    return consumer


def run(workers: int = DEFAULT_WORKERS, *, periodic: bool = True) -> None:
    """Consume jobs until stopped by a signal."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    create_consumer(workers, periodic=periodic).run()
