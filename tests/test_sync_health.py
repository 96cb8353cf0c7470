"""What the header reads of the cache: the last sync (once every stream has synced, the stalest) and
the actions the store does not have yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ActionKind, OutboxState
from oms_tui.cache.sync_state import OutboxAction, SyncState
from oms_tui.store.streams import STREAMS
from oms_tui.sync_health import read_stored_health

T0 = datetime(2026, 12, 7, 9, tzinfo=UTC)


def test_the_last_sync_is_the_stalest_streams_once_all_have_synced(any_cache: Cache) -> None:
    with any_cache.sessions() as session:
        for n, stream in enumerate(STREAMS[1:]):
            session.add(SyncState(stream=stream, last_success=T0 + timedelta(minutes=n)))
        session.commit()
    assert read_stored_health(any_cache).last_sync is None  # the first sync is still under way

    with any_cache.sessions() as session:
        session.add(SyncState(stream=STREAMS[0], last_success=T0 + timedelta(minutes=30)))
        session.commit()
    assert read_stored_health(any_cache).last_sync == T0


def test_the_outbox_counts_what_the_store_does_not_have_yet(any_cache: Cache) -> None:
    with any_cache.sessions() as session:
        for n, state in enumerate(OutboxState):
            session.add(
                OutboxAction(
                    order_id=f"gid://shopify/Order/{n}",
                    kind=ActionKind.HOLD,
                    payload={},
                    state=state,
                    station="s1",
                )
            )
        session.commit()

    assert read_stored_health(any_cache).outbox == 2  # pending, and sent with the outcome unknown
