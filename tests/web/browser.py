"""A real browser on the served app: Debian's headless Chromium driven by Playwright, and reading the
terminal it draws on a canvas back with tesseract (OCR)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright's own browser download is not reachable
FONT_SIZE = 18  # textual-serve's `fontsize`: large letters read back reliably
SHOT_TIMEOUT_MS = 10_000  # one screenshot; the callers wait far longer and try again


def need_tools() -> None:
    missing = [tool for tool in (CHROMIUM, "tesseract") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install chromium tesseract-ocr")


def read_screen(page: Page, shot: Path) -> str:
    """What the page shows, as text: a screenshot, made dark-on-light for tesseract, read back. Nothing
    while the browser cannot take one (a page navigating, on a loaded machine, may not draw for a while,
    or Chromium refuses the capture mid-navigation); the caller's wait asks again, until its deadline."""
    try:
        page.screenshot(path=str(shot), timeout=SHOT_TIMEOUT_MS)
    except PlaywrightError:  # its timeout too
        return ""
    light = ImageOps.invert(Image.open(shot).convert("L"))
    light.save(shot.with_suffix(".ocr.png"))
    read = subprocess.run(
        ["tesseract", str(shot.with_suffix(".ocr.png")), "-"], capture_output=True, text=True, check=True
    )
    return read.stdout
