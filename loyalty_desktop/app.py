"""Composition root: settings, logging, the store and services, then the window or the CLI."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from .paths import log_dir


def setup_logging(data_dir: Path) -> Path:
    """Rotating log file in the data directory; returns its path."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "loyalty-desktop.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return path


# `open --demo` seeds a smaller shop than `demo` so the first start stays short.
DEMO_WINDOW_MEMBERS = 800


def run_gui(data_dir: Path, demo: bool = False) -> dict | None:
    """Open the counter window on this data directory (seeding the demo shop if asked)."""
    from .crash import install_crash_handler
    from .services import open_terminal

    data_dir = Path(data_dir).expanduser()
    install_crash_handler(setup_logging(data_dir if data_dir.exists() else _mk(data_dir)))
    if demo:
        term = open_terminal(data_dir)
        try:
            if not term.initialised or not term.db.execute(
                    "SELECT 1 FROM members LIMIT 1").fetchone():
                from .demo import seed_demo

                print("Preparing the demo shop (once)...", file=sys.stderr)
                seed_demo(term, members=DEMO_WINDOW_MEMBERS)
        finally:
            term.close()
    try:
        from .ui.main import main as ui_main
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("loyalty_desktop.ui"):
            return _no_window(data_dir)
        raise
    raise SystemExit(ui_main(data_dir))


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _no_window(data_dir: Path) -> dict:
    """Until the counter window exists: show what the demo shop holds."""
    from .services import open_terminal

    with open_terminal(data_dir) as term:
        counts = {t: term.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("members", "sales", "refunds", "feedback")}
        return {"window": "not available in this build", "shop": term.shop, "counts": counts}
