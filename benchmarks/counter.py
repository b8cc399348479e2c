"""Counter benchmark: scan to member shown, first scan after idle, start-up, memory over sales.

Scan to shown: from the Enter key that ends a wedge burst (the last key event of a scan) to
the member panel showing the name and repainted; the payload is signed with the store's own
issuer key (benchmarks/checkout.py builds members without payloads). Printed against the bare
`term.scan(payload)` it wraps: the last line is `ratio=` (p50 shown / p50 bare).

    .venv/bin/python benchmarks/counter.py [--members 100000 --sales 2000000] [--idle 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from checkout import build, pct  # noqa: E402

from loyalty_desktop.domain.cards import IssuerKey, encode_card_payload  # noqa: E402
from loyalty_desktop.services import open_terminal  # noqa: E402

STARTUP = """
import sys, time
t0 = float(sys.argv[2])
from PySide6.QtWidgets import QApplication
from loyalty_desktop.services import open_terminal
from loyalty_desktop.ui.style import apply_style
from loyalty_desktop.ui.window import MainWindow
from loyalty_desktop.ui.worker import TerminalWorker
app = QApplication([])
apply_style(app)
term = open_terminal(sys.argv[1])
worker = TerminalWorker(term)
window = MainWindow(worker, with_display=False)
window.show()
worker.drain()
window.on_login(term.list_staff()[0])
worker.drain()
window.counter.repaint()
print(f"ready {time.time() - t0:.4f}")
window.close()
worker.shutdown()
term.close()
"""


def store(args: argparse.Namespace) -> Path:
    """A working copy of the cached big store (built the first time) in this benchmark's folder."""
    cached = args.cache / f"store-{args.members}-{args.sales}"
    if not (cached / "loyalty.db").exists():
        shutil.rmtree(cached, ignore_errors=True)
        build(cached, args.members, args.sales)
    work = args.work or args.cache / "counter-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached, work, ignore=shutil.ignore_patterns("*.lock"))
    return work


def say(text: str) -> None:
    """Print one figure at once, so a killed run keeps what it measured."""
    print(text, flush=True)


def signed_payloads(term, count: int) -> list[tuple[str, str]]:
    """(payload, name) of random members, signed with the store's issuer key and stored."""
    key_id, public, private = term.db.execute(
        "SELECT key_id, public_key, private_key FROM issuer_keys ORDER BY key_id DESC").fetchone()
    key = IssuerKey(key_id=key_id, public_bytes=bytes(public), private_bytes=bytes(private))
    rows = term.db.execute(
        "SELECT c.card_number, c.generation, m.name FROM cards c JOIN members m USING "
        "(member_id) WHERE c.status = 'active' ORDER BY RANDOM() LIMIT ?", [count]).fetchall()
    out = []
    with term.db.atomic():
        for card, generation, name in rows:
            payload = encode_card_payload(card, generation, key)
            term.db.execute("UPDATE cards SET payload = ? WHERE card_number = ?", [payload, card])
            out.append((payload, name))
    return out


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scan_to_shown(app, window, payload: str, name: str) -> float:
    """Type the payload as a wedge burst, then time Enter -> name on the repainted panel."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    target = window.counter.amount
    for char in payload:
        app.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                        Qt.KeyboardModifier.NoModifier, char))
    enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    panel = window.counter.panel
    t0 = time.perf_counter()
    app.sendEvent(target, enter)
    while panel.name.text() != name:
        app.processEvents()
        if time.perf_counter() - t0 > 10:
            raise RuntimeError(f"{name!r} not shown after 10 s: {window.counter.error.text()!r}")
    panel.repaint()
    return time.perf_counter() - t0


def open_window(term):
    """The real window over the real worker, logged in as the owner."""
    from PySide6.QtWidgets import QApplication

    from loyalty_desktop.ui.window import MainWindow
    from loyalty_desktop.ui.worker import TerminalWorker

    app = QApplication.instance() or QApplication([])
    worker = TerminalWorker(term)
    window = MainWindow(worker, with_display=False)
    window.resize(1280, 800)
    window.show()
    worker.drain()
    window.on_login(term.list_staff()[0])
    worker.drain()
    return app, worker, window


def sell(app, worker, window, count: int) -> list[float]:
    """`count` sales through the counter; RSS in MB after every quarter."""
    counter, marks = window.counter, []
    for i in range(count):
        counter.amount.setText(str(10 + i % 90))
        counter.refresh_preview()
        worker.drain()
        counter.confirm_sale()
        worker.drain()
        app.processEvents()
        if (i + 1) % (count // 4) == 0:
            marks.append(rss_mb())
            say(f"RSS after {i + 1} sales: {marks[-1]:.0f} MB")
    return marks


def startup_times(data_dir: Path, runs: int) -> list[float]:
    """Seconds from launching a process to a logged-in, painted counter."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", STARTUP, str(data_dir), repr(time.time())],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        times.append(float(out.stdout.split("ready")[-1]))
    return times


def heaviest_imports(data_dir: Path, top: int = 8) -> list[str]:
    """The slowest cumulative imports of a start-up (python -X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", STARTUP, str(data_dir),
                          repr(time.time())], capture_output=True, text=True, check=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return [f"{us / 1000:7.1f} ms {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--sales-for-rss", type=int, default=1000)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/loyalty-bench"))
    ap.add_argument("--work", type=Path, default=None,
                    help="folder for the working copy (default CACHE/counter-work)")
    args = ap.parse_args()
    work = store(args)
    say(f"store: {args.members} members, {args.sales} sales; {args.runs} scans; copy in {work}")
    t0 = time.perf_counter()
    term = open_terminal(work)
    say(f"open_terminal on the big store: {(time.perf_counter() - t0) * 1000:.0f} ms")
    people = signed_payloads(term, args.runs + 1)
    bare = []
    for payload, _ in people[:-1]:
        t0 = time.perf_counter()
        term.scan(payload)
        bare.append(time.perf_counter() - t0)
    say(f"bare term.scan: p50 {pct(bare, .5):.2f} ms  p99 {pct(bare, .99):.2f} ms")
    app, worker, window = open_window(term)
    shown = [scan_to_shown(app, window, p, n) for p, n in people[:-1]]
    say(f"scan to member shown: p50 {pct(shown, .5):.2f} ms  p99 {pct(shown, .99):.2f} ms "
        "(budget 10 / 30)")
    say(f"ratio={pct(shown, .5) / pct(bare, .5):.2f}")
    time.sleep(args.idle)
    idle = scan_to_shown(app, window, *people[-1])
    say(f"first scan after {args.idle:.0f} s idle: {idle * 1000:.2f} ms (budget 50)")
    window.counter.reset()
    say(f"RSS before sales: {rss_mb():.0f} MB")
    rss = sell(app, worker, window, args.sales_for_rss)
    say(f"RSS after each quarter of {args.sales_for_rss} sales: "
        f"{', '.join(f'{m:.0f}' for m in rss)} MB (budget 300, not growing)")
    window.close()
    worker.shutdown()
    term.close()
    starts = startup_times(work, args.starts)
    say(f"start to ready counter: median {statistics.median(starts):.3f} s "
        f"(runs {', '.join(f'{s:.3f}' for s in starts)}; budget 1.0)")
    say("heaviest imports at start-up (cumulative):")
    for line in heaviest_imports(work):
        say("   " + line)


if __name__ == "__main__":
    main()
