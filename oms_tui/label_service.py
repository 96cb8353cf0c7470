"""Which label service a station uses: EasyPost with the configured API key, or, in the demo (no shop
and no key), the simulator's imitation of EasyPost at the simulator's address. The key comes from the
environment (`OMS_LABEL_API_KEY`), the settings file, or `label_api_key_file` (a file its owner alone
may read); it is never shown."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from pydantic import SecretStr

from oms_tui.config import Settings

if TYPE_CHECKING:
    from oms_tui.carriers.base import Carrier

DEMO_PATH = "/easypost/v2"  # where the simulator serves its EasyPost imitation


class NoLabelService(ValueError):
    """No label service can be used at this station (the message says what to set)."""


def api_key(settings: Settings) -> SecretStr | None:
    if settings.label_api_key is not None:
        return settings.label_api_key
    path = settings.label_api_key_file
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a text file"
        raise NoLabelService(f"cannot read the label API key file {path}: {reason}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise NoLabelService(f"other users of this machine can read {path}: chmod 600 it")
    if not text:
        raise NoLabelService(f"the label API key file {path} is empty")
    return SecretStr(text)


def label_carrier(settings: Settings, demo_url: str | None) -> Carrier:
    """The station's label service; `demo_url`: the running simulator's address, in the demo."""
    from oms_tui.carriers.easypost_carrier import EasyPostCarrier

    key = api_key(settings)
    if key is not None:
        return EasyPostCarrier(key, settings.label_api_base)
    if demo_url is None:
        raise NoLabelService("no label service: set OMS_LABEL_API_KEY (or label_api_key_file)")
    from oms_tui.sim.carrier.state import DEMO_API_KEY

    return EasyPostCarrier(SecretStr(DEMO_API_KEY), demo_url + DEMO_PATH)
