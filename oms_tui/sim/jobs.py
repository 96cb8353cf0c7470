"""Background jobs of asynchronous mutations (`orderCancel`), finished a little later, like Shopify's.

A job's work runs when the job is first read through `job(id:)` (which then answers `done: true`), or
at the first request after `delay` on the store's clock, whichever comes first: a client that polls
sees the change at once, and one that never polls still sees it soon after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_DELAY = timedelta(seconds=1)


@dataclass
class Job:
    id: str
    due_at: datetime
    work: Callable[[], None] = field(repr=False)
    done: bool = False

    def finish(self) -> None:
        if not self.done:
            self.work()
            self.done = True


class Jobs:
    def __init__(self, now: Callable[[], datetime], delay: timedelta = DEFAULT_DELAY) -> None:
        self._now = now
        self.delay = delay
        self._jobs: dict[str, Job] = {}

    def start(self, job_id: str, work: Callable[[], None]) -> Job:
        job = Job(job_id, self._now() + self.delay, work)
        self._jobs[job.id] = job
        return job

    def poll(self, job_id: str) -> Job | None:
        """The job, finished first if it was still waiting (the poll is what a client waits on)."""
        job = self._jobs.get(job_id)
        if job is not None:
            job.finish()
        return job

    def finish_due(self) -> None:
        now = self._now()
        for job in self._jobs.values():
            if not job.done and job.due_at <= now:
                job.finish()

    def finish_all(self) -> None:
        """Finish every waiting job now (before the store is saved: a job's work cannot be kept)."""
        for job in self._jobs.values():
            job.finish()
