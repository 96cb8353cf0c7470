"""Where a shipping label goes: the label printer through CUPS (ZPL as raw data for a thermal
printer, `lp -o raw`; PDF as a document), a file the caller names, or the print folder.

A printer that fails loses nothing: the label stays in the print folder (it is paid for), a floor
exception says where, and `PrintFailed` carries the one-line reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from oms_tui.cache.database import Cache
from oms_tui.config import Settings
from oms_tui.printing.output import LP_TIMEOUT_S, Document, PrintFailed, record_failure, write


def label_path(folder: Path, name: str, extension: str) -> Path:
    path, n = folder / f"{name}.{extension}", 1
    while path.exists():
        n += 1
        path = folder / f"{name}-{n}.{extension}"
    return path


def print_label(
    cache: Cache,
    settings: Settings,
    name: str,
    data: bytes,
    label_format: str,
    order_id: str,
    *,
    to: Path | None = None,
) -> str:
    """Send the label to the label printer, or write it to `to`, or into the print folder when no label
    printer is set; returns what happened, in a line. Raises PrintFailed (after recording an exception)."""
    if to is not None:
        write(to, data)
        return f"wrote {to}"
    extension = "zpl" if label_format == "ZPL" else "pdf"
    kept = label_path(settings.print_folder, name, extension)
    write(kept, data)
    printer = settings.label_printer
    if printer is None:
        return f"no label printer set: wrote {kept}"
    try:
        job = send_label(printer, kept, raw=extension == "zpl")
    except PrintFailed as exc:
        problem = f"{exc} (label kept at {kept})"
        record_failure(cache, Document(name, b"", (order_id,)), problem)
        raise PrintFailed(problem) from None
    return f"sent to {printer}{f' ({job})' if job else ''}; label at {kept}"


def send_label(printer: str, path: Path, *, raw: bool) -> str:
    lp = shutil.which("lp")
    if lp is None:
        raise PrintFailed(f"cannot print on {printer}: the `lp` command (CUPS) is not installed")
    command = [lp, "-d", printer, *(["-o", "raw"] if raw else []), "-t", path.stem, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintFailed(f"printer {printer} failed: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise PrintFailed(f"printer {printer} failed: {said[0] if said else f'lp exited {done.returncode}'}")
    job = re.search(r"request id is (\S+)", done.stdout)
    return job.group(1) if job else ""
