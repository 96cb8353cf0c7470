"""Where a document goes: the CUPS printer (`lp`), a file named by the caller, or the print folder.

A printer that fails loses nothing: the PDF stays in the print folder, a floor exception says so,
and `PrintFailed` carries the one-line reason for the screen or the command line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import FloorException
from oms_tui.cache.types import utcnow
from oms_tui.config import Settings

LP_TIMEOUT_S = 30.0  # `lp` only queues the job; CUPS prints it afterwards


class PrintFailed(Exception):
    """The printer did not take the document (the message says why, and where the PDF is kept)."""


@dataclass(frozen=True)
class Document:
    name: str  # a file name without extension: "packing-slips-1004-1005"
    pdf: bytes
    order_ids: tuple[str, ...] = ()  # the orders it is about, for a failure's floor exception


def print_documents(cache: Cache, settings: Settings, document: Document, *, to: Path | None = None) -> str:
    """Send `document` to the printer, or write it to `to`, or into the folder when no printer is set;
    returns what happened, in a line. Raises PrintFailed (after recording a floor exception)."""
    if to is not None:
        write(to, document.pdf)
        return f"wrote {to}"
    kept = keep(settings.print_folder, document)
    if settings.printer is None:
        return f"no printer set: wrote {kept}"
    try:
        job = send_to_printer(settings.printer, kept)
    except PrintFailed as exc:
        problem = f"{exc} (PDF kept at {kept})"
        record_failure(cache, document, problem)
        raise PrintFailed(problem) from None
    return f"sent to {settings.printer}{f' ({job})' if job else ''}; PDF at {kept}"


def write(path: Path, pdf: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except OSError as exc:
        raise PrintFailed(f"cannot write {path}: {exc.strerror or exc}") from None


def keep(folder: Path, document: Document) -> Path:
    """The PDF in the print folder, under a name no earlier print has taken."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{document.name}-{stamp}.pdf"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{document.name}-{stamp}-{n}.pdf"
    write(path, document.pdf)
    return path


def send_to_printer(printer: str, pdf: Path) -> str:
    """Queue `pdf` on the CUPS `printer`; returns the job as `lp` names it ("" when it says nothing)."""
    lp = shutil.which("lp")
    if lp is None:
        raise PrintFailed(f"cannot print on {printer}: the `lp` command (CUPS) is not installed")
    try:
        done = subprocess.run(
            [lp, "-d", printer, "-t", pdf.stem, str(pdf)],
            capture_output=True,
            text=True,
            timeout=LP_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintFailed(f"printer {printer} failed: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise PrintFailed(f"printer {printer} failed: {said[0] if said else f'lp exited {done.returncode}'}")
    job = re.search(r"request id is (\S+)", done.stdout)
    return job.group(1) if job else ""


def record_failure(cache: Cache, document: Document, problem: str) -> None:
    """A floor exception per order the document was for (one without orders gets one of its own)."""
    with cache.sessions() as session:
        for order_id in document.order_ids or (None,):
            session.add(
                FloorException(
                    kind=ExceptionKind.PRINT_FAILED, severity="warning", order_id=order_id, message=problem
                )
            )
        session.commit()
