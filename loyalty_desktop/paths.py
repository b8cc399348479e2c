"""Where data lives: the OS application-data folder (platformdirs), overridable."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "LoyaltyDesktop"


def default_data_dir() -> Path:
    """$LOYALTY_DATA_DIR, else the per-user application-data folder of this OS."""
    env = os.environ.get("LOYALTY_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def log_dir(data_dir: Path) -> Path:
    """Logs beside the data."""
    return data_dir / "logs"
