"""Store simulator: a local imitation of Shopify's Admin GraphQL API (see docs/simulator.md)."""

from oms_tui.sim.app import DEFAULT_TOKEN, create_app
from oms_tui.sim.server import SimServer, run_in_thread
from oms_tui.sim.store import SimStore
from oms_tui.sim.testing import sim_client

__all__ = ["DEFAULT_TOKEN", "SimServer", "SimStore", "create_app", "run_in_thread", "sim_client"]
