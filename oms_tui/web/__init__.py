"""The app in a browser: `oms-tui serve` (textual-serve) and the app sessions it starts."""
