"""Message templates: Jinja2, sandboxed, one file per message (`NAME.txt`: a `Subject:` line, then
the body). The settings' `message_templates` folder is searched first, so a shop replaces a built-in
template by writing one of the same name, or adds its own.

Jinja2 is imported when a message is first made, never at the app's start. Templates are written by
the shop's staff, not by the programmer: the sandbox keeps them from reaching Python's insides, and
StrictUndefined makes a misspelt name an error (one line naming the template and its line) instead of
an empty gap in a customer's message.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oms_tui.cache.enums import ExceptionKind

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

BUILT_IN = Path(__file__).with_name("templates")
SUFFIX = ".txt"
SUBJECT = "Subject:"

OUT_OF_STOCK, ADDRESS_PROBLEM, DELAYED, SPLIT_SHIPMENT = (
    "out_of_stock",
    "address_problem",
    "delayed",
    "split_shipment",
)
BY_EXCEPTION: dict[str, str] = {  # the template an exception of a kind most likely calls for
    ExceptionKind.SHORT_STOCK: OUT_OF_STOCK,
    ExceptionKind.SHORT_PICK: OUT_OF_STOCK,
    ExceptionKind.ADDRESS_INCOMPLETE: ADDRESS_PROBLEM,
    ExceptionKind.ADDRESS_PO_BOX: ADDRESS_PROBLEM,
    ExceptionKind.SLA_AT_RISK: DELAYED,
    ExceptionKind.SLA_BREACHED: DELAYED,
    ExceptionKind.INTERRUPTED: DELAYED,
}


class TemplateError(ValueError):
    """A template that cannot be found or filled in: one line naming it (and its line)."""


@dataclass(frozen=True)
class Rendered:
    template: str
    subject: str
    body: str


def template_names(folder: Path | None) -> list[str]:
    """Every template a person may choose: the built-in ones and the shop's own."""
    names = {path.stem for path in BUILT_IN.glob(f"*{SUFFIX}")}
    if folder is not None and folder.is_dir():
        names |= {path.stem for path in folder.glob(f"*{SUFFIX}")}
    return sorted(names)


def default_template(exception_kind: str | None, partly_shipped: bool) -> str:
    if exception_kind in BY_EXCEPTION:
        return BY_EXCEPTION[exception_kind]
    return SPLIT_SHIPMENT if partly_shipped else DELAYED


@lru_cache(maxsize=8)
def _environment(folder: Path | None) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    search = [str(folder)] if folder is not None else []
    return SandboxedEnvironment(
        loader=FileSystemLoader([*search, str(BUILT_IN)]),
        undefined=StrictUndefined,
        autoescape=False,  # plain text mail, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,  # a template edited while the app runs is read again
    )


def render(name: str, data: dict[str, Any], folder: Path | None = None) -> Rendered:
    """The template `name` filled with `data`; raises TemplateError (one line) when it cannot be."""
    from jinja2 import TemplateError as JinjaError
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    file_name = f"{name}{SUFFIX}"
    try:
        template = _environment(folder).get_template(file_name)
        text = template.render(data)
    except TemplateNotFound:
        known = ", ".join(template_names(folder))
        raise TemplateError(f"no message template {name!r} (there are: {known})") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template {name}, line {exc.lineno}: {exc.message}") from None
    except JinjaError as exc:  # a name the data has not (StrictUndefined), or a sandbox refusal
        line = _template_line(exc, file_name)
        where = f", line {line}" if line else ""
        raise TemplateError(f"template {name}{where}: {exc.message or type(exc).__name__}") from None
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT):
        raise TemplateError(f"template {name}, line 1: it must start with '{SUBJECT} ...'")
    subject = " ".join(first.removeprefix(SUBJECT).split())
    if not subject:
        raise TemplateError(f"template {name}, line 1: the subject is empty")
    return Rendered(name, subject, body.strip("\n") + "\n")


def _template_line(exc: BaseException, file_name: str) -> int | None:
    """The template's line where rendering failed: Jinja2 rewrites the traceback so that the
    template's frames carry its file and line."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.endswith(file_name)
    ]
    return lines[-1] if lines else None
