"""Stations claiming at the same moment, each a real process on one cache (4 on PostgreSQL, 2 on one
SQLite file): no fulfillment order is given to two of them, no claim a station was given is missing
from the cache, and a crashed station's lapsed claims are taken over by the others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from oms_tui.cache.database import Cache
from oms_tui.cache.models import AuditEvent, Claim
from oms_tui.floor.queues.queue_filters import QueueFilter
from oms_tui.floor.queues.queues import window
from oms_tui.floor.queues.stages import Stage
from tests.bulk_cache import STAFF, fill_cache
from tests.process_group import ProcessGroups
from tests.processes.test_stations import REPO, database_url

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
LEASE_MINUTES = 10
EACH = 100  # claims each station takes, all at once with the others


def claimer(
    processes: ProcessGroups, cache: Cache, tmp_path: Path, staff: str, station: str, count: int, at: datetime
) -> subprocess.Popen[str]:
    """A station claiming `count` times (0: until the queue is empty), once told to start."""
    config = tmp_path / "config.toml"
    config.touch()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OMS_CONFIG_FILE": str(config),
        "OMS_DATABASE_URL": database_url(cache),
    }
    command = [sys.executable, "-m", "tests.processes.claimer", staff, station, str(count)]
    process = processes.start(
        [*command, at.isoformat(), str(LEASE_MINUTES)],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process


def start_together(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        assert process.stdout is not None
        said = process.stdout.readline()
        assert said == "ready\n", said + (process.stderr.read() if process.stderr else "")
    for process in processes:  # all connected: now they race
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def claimed_by(process: subprocess.Popen[str]) -> list[str]:
    """The fulfillment orders the station was given (each printed once its claim committed)."""
    out, errors = process.communicate(timeout=240)
    assert process.returncode == 0, errors[-2000:]
    return out.split()


def live_claims(cache: Cache, at: datetime) -> dict[str, tuple[str, str]]:
    with cache.sessions() as session:
        rows = session.exec(select(Claim).where(col(Claim.lease_until) > at))
        return {c.fulfillment_order_id: (c.staff_code, c.station) for c in rows}


def ready_queue(cache: Cache, at: datetime) -> list[str]:
    with cache.reads() as session:
        return [row.key for row in window(session, Stage.READY_TO_PICK, QueueFilter(), at, limit=10_000)]


def claim_events(cache: Cache, action: str) -> list[AuditEvent]:
    with cache.sessions() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def assert_nothing_given_twice(given: dict[tuple[str, str], list[str]]) -> None:
    counted = Counter(fo for claims in given.values() for fo in claims)
    twice = sorted(fo for fo, times in counted.items() if times > 1)
    assert not twice, f"{len(twice)} fulfillment orders given to two claimers: {twice[:5]}"


def test_stations_claiming_at_once_never_share_an_order_and_lose_none(
    any_cache: Cache, tmp_path: Path, processes: ProcessGroups
) -> None:
    stations = 2 if any_cache.engine.dialect.name == "sqlite" else 4
    fill_cache(any_cache, 600, now=NOW, open_share=0.9, lean=True)
    queue = ready_queue(any_cache, NOW)
    held_before = live_claims(any_cache, NOW)
    assert len(queue) > stations * EACH
    people = [(code, f"pick-{n}") for n, (code, _) in enumerate(STAFF[:stations], start=1)]
    claimers = [claimer(processes, any_cache, tmp_path, code, station, EACH, NOW) for code, station in people]
    start_together(claimers)
    given = {person: claimed_by(process) for person, process in zip(people, claimers, strict=True)}

    assert_nothing_given_twice(given)
    assert [len(claims) for claims in given.values()] == [EACH] * stations  # none came away empty-handed
    held = live_claims(any_cache, NOW)
    for person, claims in given.items():  # each claim a station was given is in the cache, as its own
        assert {held.get(fo) for fo in claims} == {person}
    assert len(held) == len(held_before) + stations * EACH
    # Claimers pass each other by: together they took the head of the queue, nothing skipped.
    assert {fo for claims in given.values() for fo in claims} == set(queue[: stations * EACH])
    assert Counter(event.subject for event in claim_events(any_cache, "claim.take")) == Counter(
        fo for claims in given.values() for fo in claims
    )


def test_a_crashed_stations_claims_lapse_and_are_taken_over(
    any_cache: Cache, tmp_path: Path, processes: ProcessGroups
) -> None:
    fill_cache(any_cache, 240, now=NOW, open_share=0.9, lean=True)
    crashed = claimer(
        processes, any_cache, tmp_path, "P01", "pick-7", 0, NOW
    )  # the cache's own claims are at pick-1
    start_together([crashed])
    assert crashed.stdout is not None
    for _ in range(30):  # killed mid-work: its last claim may be half done
        assert crashed.stdout.readline()
    crashed.send_signal(signal.SIGKILL)
    crashed.wait()
    left = {fo for fo, holder in live_claims(any_cache, NOW).items() if holder == ("P01", "pick-7")}
    assert len(left) >= 30

    lapsed = NOW + timedelta(minutes=LEASE_MINUTES + 1)  # nobody renewed them
    assert left <= set(ready_queue(any_cache, lapsed))  # back in the queue
    people = [("P02", "pick-2"), ("P03", "pick-3")]
    claimers = [claimer(processes, any_cache, tmp_path, code, station, 0, lapsed) for code, station in people]
    start_together(claimers)
    given = {person: claimed_by(process) for person, process in zip(people, claimers, strict=True)}

    assert_nothing_given_twice(given)
    held = live_claims(any_cache, lapsed)
    assert {held.get(fo) for fo in left} <= set(people)  # every one taken over, by a working station
    taken_over = claim_events(any_cache, "claim.take_over")
    assert {event.subject for event in taken_over} == left
    assert {
        (e.details["from_staff"], e.details["from_station"], e.details["lapsed"]) for e in taken_over
    } == {("P01", "pick-7", True)}
    assert ready_queue(any_cache, lapsed) == []
