"""First start on a clean machine: the self-test, the launcher, the first window, crash reports.

The launcher and the self-test run in child processes, as the bundle runs them, so that a
QApplication or an excepthook never leaks into the other tests.
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loyalty_desktop.crash import CrashReporter, crash_message, install_crash_handler
from loyalty_desktop.selftest import STEPS, SelfTestFailed, SelfTestRun, check, run_steps

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "packaging" / "launcher.py"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: offscreen Qt, no inherited data folder."""
    env = {k: v for k, v in os.environ.items() if k != "LOYALTY_DATA_DIR"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), **extra)
    return env


def launch(*args: str, timeout: int = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the bundle's launcher from the checkout."""
    return subprocess.run([sys.executable, str(LAUNCHER), *args], capture_output=True,
                          text=True, timeout=timeout, env=child_env(**env), cwd=ROOT)


def test_self_test_passes_every_step_and_leaves_nothing_behind(tmp_path):
    result = launch("--self-test", TMPDIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines[:-1]] == [name for name, _ in STEPS]
    assert all(line.startswith("ok ") for line in lines[:-1])
    assert lines[-1].startswith("self-test passed in ")
    assert "Code128" in result.stdout and "QR payload verified" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the temporary shop is removed


def test_self_test_refuses_arguments():
    result = launch("--self-test", "--fast")
    assert result.returncode == 2 and "takes no arguments" in result.stderr


def test_a_failing_step_stops_the_run_with_its_name_and_message(tmp_path):
    ran: list[str] = []

    def passes(run: SelfTestRun) -> str:
        ran.append("first")
        return "fine"

    def fails(run: SelfTestRun) -> str:
        check(False, "card QR read [], expected the member's payload")
        return "never"

    def never(run: SelfTestRun) -> str:
        ran.append("third")
        return "never"

    out = io.StringIO()
    code = run_steps([("first", passes), ("card", fails), ("third", never)],
                     SelfTestRun(tmp_path), out)
    assert code == 1 and ran == ["first"]
    assert out.getvalue().splitlines()[-1] == (
        "FAILED card: card QR read [], expected the member's payload")


def test_an_unexpected_error_in_a_step_is_reported_as_a_failure(tmp_path, capsys):
    def breaks(run: SelfTestRun) -> str:
        raise OSError("libQt6Pdf.so.6: cannot open shared object file")

    out = io.StringIO()
    assert run_steps([("receipt", breaks)], SelfTestRun(tmp_path), out) == 1
    assert out.getvalue() == (
        "FAILED receipt: OSError: libQt6Pdf.so.6: cannot open shared object file\n")
    assert "Traceback" in capsys.readouterr().err


def test_check_raises_with_the_message():
    with pytest.raises(SelfTestFailed, match="expected 3"):
        check(1 + 1 == 3, "expected 3")


def test_launcher_without_a_command_opens_the_first_run_wizard(tmp_path):
    data = tmp_path / "data"
    result = launch("--data-dir", str(data), LOYALTY_QUIT_WHEN_SHOWN="1")
    assert result.returncode == 0, result.stdout + result.stderr
    mark, window, seconds = result.stdout.strip().splitlines()[-1].split()
    assert (mark, window) == ("window-shown", "FirstRunWizard")
    assert 0 < float(seconds) < 60
    assert (data / "loyalty.db").is_file() and (data / "logs" / "loyalty-desktop.log").is_file()


@pytest.mark.parametrize(("argv", "expected"), [
    ([], ["open"]),
    (["--data-dir", "/d"], ["--data-dir", "/d", "open"]),
    (["--json", "--data-dir=/d"], ["--json", "--data-dir=/d", "open"]),
    (["--data-dir", "/d", "sale", "--total", "10"], ["--data-dir", "/d", "sale", "--total", "10"]),
    (["--help"], ["--help"]),
    (["--data-dir"], ["--data-dir"]),  # left to the CLI to report the missing value
])
def test_launcher_opens_the_window_only_when_no_command_is_given(argv, expected):
    spec = importlib.util.spec_from_file_location("bundle_launcher", LAUNCHER)
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    assert launcher.with_default_command(argv) == expected


def test_launcher_passes_commands_to_the_cli(tmp_path):
    data = tmp_path / "data"
    result = launch("--data-dir", str(data), "--json", "init", "--shop", "Köşe Büfe",
                    "--owner-name", "Ayşe", "--owner-pin", "1357")
    assert result.returncode == 0, result.stderr
    assert '"Köşe Büfe"' in result.stdout


CRASHING_WINDOW = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from loyalty_desktop.app import setup_logging
from loyalty_desktop.crash import install_crash_handler

app = QApplication([])
install_crash_handler(setup_logging(Path(sys.argv[1])))

def crash_in_a_slot():
    raise RuntimeError("kasada beklenmeyen durum")

def read_the_message():
    box = QApplication.activeModalWidget()
    print("MESSAGE:", "<none>" if box is None else box.text().replace("\\n", " "), flush=True)
    if box is not None:
        box.close()
    QTimer.singleShot(50, app.quit)

QTimer.singleShot(50, crash_in_a_slot)
QTimer.singleShot(1500, read_the_message)
app.exec()
"""


def test_a_crash_in_the_window_names_the_log_file_and_is_logged(tmp_path):
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-c", CRASHING_WINDOW, str(data)],
                            capture_output=True, text=True, timeout=120, env=child_env())
    assert result.returncode == 0, result.stderr
    log_file = data / "logs" / "loyalty-desktop.log"
    message = result.stdout.split("MESSAGE:", 1)[1]
    assert str(log_file) in message and "Beklenmeyen bir hata" in message
    assert "The details are in the log file" in message
    logged = log_file.read_text(encoding="utf-8")
    assert "CRITICAL loyalty_desktop.crash: Unhandled exception" in logged
    assert "RuntimeError: kasada beklenmeyen durum" in logged


def test_crash_reporter_shows_once_and_keeps_the_previous_hook(tmp_path):
    shown: list[str] = []
    previous: list[str] = []
    reporter = CrashReporter(tmp_path / "x.log", shown.append,
                             lambda t, e, tb: previous.append(str(e)))
    reporter(ValueError, ValueError("bad"), None)
    assert shown == [crash_message(tmp_path / "x.log")] and previous == ["bad"]
    reporter.showing = True  # as while the first message box is open
    reporter(ValueError, ValueError("again"), None)
    assert len(shown) == 1 and previous == ["bad", "again"]


def test_install_crash_handler_replaces_the_excepthook(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    reporter = install_crash_handler(tmp_path / "x.log", show=lambda text: None)
    assert sys.excepthook is reporter and reporter.previous is sys.__excepthook__
