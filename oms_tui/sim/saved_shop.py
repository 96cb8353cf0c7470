"""The demo shop kept in a file, so that a restart on the same data folder serves the same shop.

Without it a restart re-seeds the history from the current moment and forgets the live orders: the
cache would keep orders the simulator no longer has, and new ones would reuse their numbers for
other customers. The file holds the seed, the instant the seeded history ends and every change since
(live activity and the floor's own actions). It is saved before the answer that could show a change
leaves the simulator, so the cache never knows more than the file, even after a crash.

The file is a pickle (the orders share line items between their lists, which a pickle keeps): it is
only ever read from this user's own data folder, beside the cache it belongs to.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from pathlib import Path

from oms_tui.one_line import OneLineError
from oms_tui.sim.store import SavedShop, SimStore

log = logging.getLogger(__name__)

FORMAT = 4  # bump when SavedShop changes shape: an older file then starts a new shop (4: ship-by dates)


class ShopNotSaved(OneLineError):
    """The demo shop could not be written; its file is as it was, and no partial file is left."""


class SavedShopFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.saved_changes = -1

    def open(self, orders: int, seed: int) -> SimStore:
        """The shop saved here, or a new one of `orders` seeded orders (saved at once: its anchor)."""
        saved = self._read()
        if saved is not None:
            store = SimStore.restored(saved)
            self.saved_changes = store.changes
            return store
        store = SimStore(orders=orders, seed=seed, floor_ages=True)  # the demo's floor
        self.save(store)
        return store

    def save_if_changed(self, store: SimStore) -> None:
        if store.changes != self.saved_changes:
            self.save(store)

    def save(self, store: SimStore) -> None:
        """Write the shop as it is now; a crash mid-write leaves the previous file whole."""
        with store.lock:
            data = pickle.dumps((FORMAT, store.saved()), protocol=pickle.HIGHEST_PROTOCOL)
            changes = store.changes
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(self.path)
        except OSError as exc:  # a full disk, a file size limit: the previous file stays whole
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise ShopNotSaved(f"cannot save the demo shop to {self.path}: {exc.strerror or exc}") from None
        self.saved_changes = changes

    def close(self, store: SimStore) -> None:
        """Finish waiting jobs (they cannot be kept) and save."""
        with store.lock:
            store.jobs.finish_all()
        self.save(store)

    def _read(self) -> SavedShop | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            kind, saved = pickle.loads(data)
        except Exception as exc:  # damaged, or from an older oms-tui: a new shop is the only way on
            log.warning("demo shop in %s unreadable (%s); starting a new one", self.path, type(exc).__name__)
            return None
        if kind != FORMAT or not isinstance(saved, SavedShop):
            log.warning("demo shop in %s is from another oms-tui version; starting a new one", self.path)
            return None
        return saved
