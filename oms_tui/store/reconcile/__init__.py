"""Reconcile: compare the cache with the store, day by day, and mend what differs (`engine.py`)."""

from oms_tui.store.reconcile.differences import Difference
from oms_tui.store.reconcile.engine import ReconcileOptions, Reconciler, ReconcileReport

__all__ = ["Difference", "ReconcileOptions", "ReconcileReport", "Reconciler"]
