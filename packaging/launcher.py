"""The bundle's entry point: the CLI, the counter window with no arguments, and `--self-test`.

- `loyalty-desktop` with no command (only `--data-dir`) opens the window (`open`); any
  other arguments go to the CLI.
- `loyalty-desktop --self-test` runs `loyalty_desktop.selftest` and exits 0 or 1.
- A build without the server extra (the terminal bundle has no FastAPI or PostgreSQL driver)
  hides the `server` commands instead of failing to import them.
- With LOYALTY_QUIT_WHEN_SHOWN=1 the first window shown (the first-run wizard on a new data
  folder) prints `window-shown <class> <seconds>` and closes: `make bundle` times start-up so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time

QUIT_WHEN_SHOWN = "LOYALTY_QUIT_WHEN_SHOWN"
SHOWN_MARK = "window-shown"
SERVER_COMMANDS = "loyalty_desktop.server.cli"
_STARTED = time.perf_counter()


def main(argv: list[str] | None = None) -> int:
    """Run the self-test, the window or a CLI command; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--self-test"]:
        from loyalty_desktop.selftest import main as self_test

        return self_test(argv[1:])
    hide_server_commands_without_server()
    if os.environ.get(QUIT_WHEN_SHOWN) == "1":
        install_quit_when_shown()
    from loyalty_desktop.cli import main as cli_main

    return cli_main(with_default_command(argv))


def with_default_command(argv: list[str]) -> list[str]:
    """The arguments, with `open` added when they name no command (only global options)."""
    from loyalty_desktop.cli import command_word

    return argv if command_word(argv) is not None else [*argv, "open"]


def hide_server_commands_without_server() -> None:
    """Without FastAPI the `server` commands cannot load: mark them absent so the CLI skips them."""
    if importlib.util.find_spec("fastapi") is None:
        # None in sys.modules makes `import` raise ModuleNotFoundError naming this module,
        # which the CLI treats as "not installed in this build".
        sys.modules.setdefault(SERVER_COMMANDS, None)  # type: ignore[arg-type]


def install_quit_when_shown() -> None:
    """Create the QApplication now and close every window once the first one is shown."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    class QuitWhenShown(QObject):
        """Event filter: on the first top-level Show, report the time and close the windows."""

        def __init__(self, app: QApplication) -> None:
            super().__init__(app)
            self.app = app
            self.done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
            if (not self.done and event.type() == QEvent.Type.Show
                    and isinstance(watched, QWidget) and watched.isWindow()):
                self.done = True
                elapsed = time.perf_counter() - _STARTED
                print(f"{SHOWN_MARK} {type(watched).__name__} {elapsed:.3f}", flush=True)
                QTimer.singleShot(200, self.app.closeAllWindows)
            return False

    app = QApplication.instance() or QApplication(sys.argv)
    app.installEventFilter(QuitWhenShown(app))


if __name__ == "__main__":
    raise SystemExit(main())
