"""`python -m oms_tui.cli`: the `oms-tui` command."""

import sys

from oms_tui.cli import main

sys.exit(main())
