"""After `make bundle`: the bundle's size, its self-test, and its time to the first window.

Usage: python packaging/measure_bundle.py dist/loyalty-desktop [--runs 3]

- size: every file of the one-folder bundle, in MB (10^6 bytes), links counted once;
- self-test: `loyalty-desktop --self-test`, wall clock from launch to exit, split into
  start-up (launch until the checks begin) and the checks themselves (their own timing);
- first window: `loyalty-desktop --data-dir <new folder>` under QT_QPA_PLATFORM=offscreen with
  LOYALTY_QUIT_WHEN_SHOWN=1, from launch until the launcher reports the first-run wizard shown.
Exits 1 (after printing what went wrong) when the self-test fails or the wizard never shows.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHOWN_MARK = "window-shown"
EXPECTED_WINDOW = "FirstRunWizard"
TIMEOUT_S = 120


def program(bundle: Path) -> Path:
    """The console program of the bundle."""
    name = "loyalty-desktop.exe" if sys.platform == "win32" else "loyalty-desktop"
    return bundle / name


def child_env(**extra: str) -> dict[str, str]:
    """Offscreen Qt and no inherited data folder."""
    env = {k: v for k, v in os.environ.items() if k != "LOYALTY_DATA_DIR"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra)
    return env


def bundle_size_mb(bundle: Path) -> float:
    """Total size of the bundle's files in MB (symbolic links to its own libraries not twice)."""
    return sum(f.lstat().st_size for f in bundle.rglob("*")
               if f.is_file() and not f.is_symlink()) / 1e6


def time_self_test(exe: Path) -> tuple[float, float]:
    """(wall seconds, seconds the checks themselves reported); raises if the self-test fails."""
    started = time.perf_counter()
    result = subprocess.run([str(exe), "--self-test"], capture_output=True, text=True,
                            timeout=TIMEOUT_S, env=child_env())
    wall = time.perf_counter() - started
    print(result.stdout, end="")
    if result.returncode != 0:
        print(result.stderr, end="", file=sys.stderr)
        raise RuntimeError(f"the bundle's self-test failed (exit code {result.returncode})")
    checks = re.search(r"self-test passed in ([\d.]+) s", result.stdout)
    return wall, float(checks.group(1)) if checks else wall


def time_first_window(exe: Path) -> float:
    """Seconds from launch on a new data folder until the first-run wizard is shown."""
    with tempfile.TemporaryDirectory(prefix="loyalty-firstrun-") as folder:
        started = time.perf_counter()
        child = subprocess.Popen([str(exe), "--data-dir", str(Path(folder) / "data")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=child_env(LOYALTY_QUIT_WHEN_SHOWN="1"))
        shown_after, window = None, None
        for line in child.stdout:  # type: ignore[union-attr]
            if line.startswith(SHOWN_MARK):
                shown_after = time.perf_counter() - started
                window = line.split()[1]
                break
        _, errors = child.communicate(timeout=TIMEOUT_S)
    if shown_after is None or window != EXPECTED_WINDOW or child.returncode != 0:
        print(errors, end="", file=sys.stderr)
        raise RuntimeError(f"no first-run wizard: first window {window!r}, "
                           f"exit code {child.returncode}")
    return shown_after


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit code 1 when the bundle does not work."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="first-window launches to time")
    args = parser.parse_args(argv)
    exe = program(args.bundle)
    if not exe.is_file():
        print(f"no bundle program at {exe}: run `make bundle`", file=sys.stderr)
        return 1
    try:
        size = bundle_size_mb(args.bundle)
        wall, checks = time_self_test(exe)
        windows = [time_first_window(exe) for _ in range(args.runs)]
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"bundle check FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"bundle size: {size:.1f} MB ({args.bundle})")
    print(f"self-test: {wall:.2f} s wall clock = start-up {wall - checks:.2f} s "
          f"+ checks {checks:.2f} s")
    print(f"first-run wizard shown after: first launch {windows[0]:.2f} s, "
          f"median of {len(windows)} {statistics.median(windows):.2f} s "
          f"(all: {', '.join(f'{w:.2f}' for w in windows)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
