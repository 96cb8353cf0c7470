"""`python -m oms_tui`: the `oms-tui` command (how `oms-tui serve` starts its sessions)."""

from oms_tui.entry import main

main()
