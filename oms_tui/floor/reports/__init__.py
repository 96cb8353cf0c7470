"""The manager's numbers: summary tables kept as the work happens, and the reports read from them."""
