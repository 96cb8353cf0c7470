"""The step queue shared by the pick, pack and returns screens: steps that arrive while one is still
being written wait their turn, run one at a time off the UI thread, in the order they came, none lost."""

from __future__ import annotations

import asyncio
import threading

from textual.app import App

from oms_tui.screens.step_queue import StepQueue


async def test_steps_arriving_during_a_slow_step_run_after_it_in_order_one_at_a_time() -> None:
    ran: list[int] = []
    running = 0
    most_at_once = 0
    first_started, release = threading.Event(), threading.Event()
    ui_thread = threading.get_ident()

    def run_one(step: int) -> None:
        nonlocal running, most_at_once
        assert threading.get_ident() != ui_thread, "a step ran on the UI thread"
        running += 1
        most_at_once = max(most_at_once, running)
        if step == 0:
            first_started.set()
            assert release.wait(10), "the test never released the first step"
        ran.append(step)
        running -= 1

    app: App[None] = App()
    async with app.run_test() as pilot:
        steps = StepQueue[int](app, run_one, "test-steps")
        steps.add(0)  # a slow write: the database is busy
        assert await asyncio.to_thread(first_started.wait, 10)  # the loop runs meanwhile
        for step in range(1, 21):  # a scanner's burst meanwhile
            steps.add(step)
        workers = [worker for worker in app.workers if worker.group == "test-steps"]
        assert len(workers) == 1, "the burst started workers of its own"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ran == list(range(21))
        assert most_at_once == 1
        steps.add(21)  # the queue ran dry: the next step starts a new worker
        await app.workers.wait_for_complete()
        assert ran[-1] == 21
