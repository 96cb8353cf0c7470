"""The `oms-tui` command: the cyclic garbage collector waits while the app starts.

Starting imports and builds some 170,000 objects that live as long as the process (modules, table
models, the first screen); the collector would walk them again and again while they are made, a
sixth of the time to the first frame. It is off from here, before any import, until the app shows
its first frame (then what was made is frozen, out of its reach) or a command other than the app
starts.
"""

import gc


def main() -> None:
    gc.disable()
    from oms_tui.cli import main as command

    command()
