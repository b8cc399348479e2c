"""Counter benchmark: scan to member shown, first scan after idle, start-up, memory over sales.

Scan to shown: from the Enter key that ends a wedge burst (the last key event of a scan) to
the member panel showing the name and repainted; the payload is signed with the store's own
issuer key (benchmarks/checkout.py builds members without payloads). Printed against the bare
`term.scan(payload)` it wraps: the last line is `ratio=` (p50 shown / p50 bare).

    .venv/bin/python benchmarks/counter.py [--members 100000 --sales 2000000] [--idle 60]

The clock stops when the panel's name label is painted with the member's name, while the test
waits in a Qt event loop as the app does in `app.exec()` (its thread asleep, the GIL free for
the worker). `--busy-poll` also times every other scan the way this benchmark did before:
spinning `processEvents()` in Python until the name is set, then `repaint()`; that loop holds
the GIL between calls, so the worker waits for it (Python's 5 ms switch interval) on a busy
machine.

Each scan is also split into phases: `service` (find_member in the worker: signature check,
card and member lookup, ledger fold), `handoff` (Enter to the service starting, plus its result
reaching the GUI thread), `show` (the counter filling the panel) and `paint` (the rest: events
and the repaint). Start-up runs against the app as installed (our modules' bytecode compiled
once, as pip and the PyInstaller bundle do; `--from-source` makes every start compile them),
with a warm and, as root, a cold file cache (`sync; echo 3 > /proc/sys/vm/drop_caches` before
each cold run). Start-up is timed twice: the scripted start above (imports, store, window,
a programmatic login, the counter painted) and the app as a user starts it (the launcher, i.e.
`loyalty-desktop` with the CLI, logging and crash handler, to the login screen shown).
Memory: RSS after `--warm-up` sales, then at 250/500/1000/2000 more, with the
slope of a least-squares line (MB per 1,000 sales).
"""

from __future__ import annotations

import argparse
import gc
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
from PySide6.QtCore import QCoreApplication
deadline = time.time() + 10
while not window.preloads and time.time() < deadline:  # the verifier's starts a second in
    QCoreApplication.processEvents()
    time.sleep(0.002)
window.preloads[0].join()
print(f"verifier {time.time() - t0:.4f}")
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


class Phases:
    """Stamps along one scan: the service call in the worker and the panel being filled."""

    def __init__(self, term, counter) -> None:
        self.marks: dict[str, float] = {}
        find, show = term.find_member, counter.show_member

        def timed_find(*args, **kwargs):
            self.marks["service_start"] = time.perf_counter()
            try:
                return find(*args, **kwargs)
            finally:
                self.marks["service_end"] = time.perf_counter()

        def timed_show(member):
            self.marks["show_start"] = time.perf_counter()
            show(member)
            self.marks["show_end"] = time.perf_counter()

        term.find_member, counter.show_member = timed_find, timed_show
        self.series: list[dict[str, float]] = []

    def split(self, t0: float, t1: float) -> dict[str, float]:
        """Milliseconds of each phase of the scan that ran from t0 to t1."""
        m = self.marks
        parts = {"service": m["service_end"] - m["service_start"],
                 "handoff": (m["service_start"] - t0) + (m["show_start"] - m["service_end"]),
                 "show": m["show_end"] - m["show_start"], "paint": t1 - m["show_end"]}
        self.series.append(parts)
        return {k: v * 1000 for k, v in parts.items()}

    def medians(self) -> str:
        """p50 of each phase over the scans so far."""
        return "  ".join(f"{k} {pct([p[k] for p in self.series], .5):.2f}"
                         for k in ("service", "handoff", "show", "paint"))


class NamePainted:
    """Stamps the moment the panel's name label is painted with the wanted text, and ends the
    event loop the benchmark waits in."""

    def __init__(self, label) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint

        class Watch(QObject):
            def eventFilter(inner, obj, event):  # noqa: N802, N805 (Qt name; closure)
                if event.type() == paint and self.at is None and obj.text() == self.want:
                    self.at = time.perf_counter()
                    if self.loop is not None:
                        self.loop.quit()
                return False

        self.want: str | None = None
        self.at: float | None = None
        self.loop = None
        self.watch = Watch()
        label.installEventFilter(self.watch)


def scan_to_shown(app, window, payload: str, name: str, phases: Phases | None = None,
                  busy: bool = False) -> float:
    """Type the payload as a wedge burst, then time Enter -> name painted on the panel (waiting
    in an event loop; `busy`: spinning processEvents, then repaint(), the previous method)."""
    from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    target = window.counter.amount
    # The scanner's pace (2 ms a key) on the wedge detector's clock: this process being
    # descheduled for 25 ms mid-burst on a busy machine must not turn the scan into typing.
    clock = window.wedge.clock
    at = clock()
    window.wedge.clock = lambda: at
    for char in payload:
        at += 2.0
        app.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                        Qt.KeyboardModifier.NoModifier, char))
    at += 2.0
    enter = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
    panel = window.counter.panel
    painted = window.name_painted
    painted.want, painted.at = name, None
    if busy:
        t0 = time.perf_counter()
        app.sendEvent(target, enter)
        window.wedge.clock = clock
        while panel.name.text() != name:
            app.processEvents()
            if time.perf_counter() - t0 > 10:
                raise RuntimeError(f"{name!r} not shown after 10 s: {window.counter.error.text()!r}")
        panel.repaint()
        t1 = time.perf_counter()
    else:
        loop = QEventLoop()
        painted.loop = loop
        give_up = QTimer()
        give_up.setSingleShot(True)
        give_up.timeout.connect(loop.quit)
        give_up.start(10_000)
        t0 = time.perf_counter()
        app.sendEvent(target, enter)
        window.wedge.clock = clock
        if painted.at is None:
            loop.exec()
        give_up.stop()
        painted.loop = None
        if painted.at is None:
            raise RuntimeError(f"{name!r} not shown after 10 s: {window.counter.error.text()!r}")
        t1 = painted.at
    if phases is not None:
        phases.split(t0, t1)
    return t1 - t0


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
    window.name_painted = NamePainted(window.counter.panel.name)
    return app, worker, window


def sell(app, worker, window, count: int, start: int = 0) -> None:
    """`count` sales through the counter (amount, preview, Enter's confirm_sale)."""
    counter = window.counter
    for i in range(start, start + count):
        counter.amount.setText(str(10 + i % 90))
        counter.refresh_preview()
        worker.drain()
        counter.confirm_sale()
        worker.drain()
        app.processEvents()


def settled_rss(app, window) -> float:
    """RSS once the slips of the sales so far are written (each queued slip holds its PDF) and
    Qt's deferred deletions and Python's garbage are gone."""
    from PySide6.QtCore import QCoreApplication, QEvent

    queued = len(window.receipts._files)
    if not window.receipts.wait(120_000):
        raise RuntimeError("receipts still queued after 2 minutes")
    app.processEvents()
    if queued:
        say(f"  ({queued} slips were still queued for writing)")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return rss_mb()


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 1,000 sales."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return 1000 * sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def rss_series(app, worker, window, warm_up: int, marks: list[int]) -> list[tuple[int, float]]:
    """RSS after `warm_up` sales (0), then after each number of sales in `marks`."""
    sell(app, worker, window, warm_up)
    done, points = 0, [(0, settled_rss(app, window))]
    say(f"RSS after {warm_up} warm-up sales: {points[0][1]:.1f} MB")
    for mark in marks:
        sell(app, worker, window, mark - done, start=warm_up + done)
        done = mark
        points.append((mark, settled_rss(app, window)))
        say(f"RSS after {mark} more sales: {points[-1][1]:.1f} MB")
    return points


def drop_file_cache() -> bool:
    """Empty the OS file cache (root only): the next start reads every file from disk."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def startup_env(work: Path, from_source: bool) -> dict[str, str]:
    """The start-up's environment: bytecode compiled once into the work folder (as installed),
    or none at all (every start compiles our modules from source)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if from_source:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work.parent / f"{work.name}-pycache")
    return env


def startup_times(data_dir: Path, runs: int, env: dict[str, str],
                  cold: bool) -> tuple[list[float], list[float]]:
    """Seconds from launching a process to a logged-in, painted counter, and to the signature
    library loaded after it (a scan before that waits for it)."""
    times, verifier = [], []
    for _ in range(runs):
        if cold and not drop_file_cache():
            raise PermissionError("dropping the file cache needs root (or pass --no-cold)")
        out = subprocess.run([sys.executable, "-c", STARTUP, str(data_dir), repr(time.time())],
                             capture_output=True, text=True, check=True, cwd=ROOT, env=env)
        times.append(float(out.stdout.split("ready")[-1].split()[0]))
        verifier.append(float(out.stdout.split("verifier")[-1]))
    return times, verifier


def app_start_times(data_dir: Path, runs: int, env: dict[str, str], cold: bool) -> list[float]:
    """Seconds from launching the app as a user does (the bundle's entry, packaging/launcher.py:
    the CLI's `open`, logging, crash handler, the store, the window) to its first window shown
    (the login screen of an initialised shop; LOYALTY_QUIT_WHEN_SHOWN=1 reports it and quits)."""
    times = []
    for _ in range(runs):
        if cold and not drop_file_cache():
            raise PermissionError("dropping the file cache needs root (or pass --no-cold)")
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(ROOT / "packaging" / "launcher.py"),
                                 "--data-dir", str(data_dir)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                                env={**env, "LOYALTY_QUIT_WHEN_SHOWN": "1"})
        assert proc.stdout is not None
        shown = None
        for line in proc.stdout:
            if line.startswith("window-shown"):
                shown = time.perf_counter() - t0
                break
        if proc.wait(timeout=60) != 0 or shown is None:
            raise RuntimeError("the app did not show its window")
        times.append(shown)
    return times


def heaviest_imports(data_dir: Path, env: dict[str, str], top: int = 8) -> list[str]:
    """The slowest cumulative imports of a start-up (python -X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", STARTUP, str(data_dir),
                          repr(time.time())], capture_output=True, text=True, check=True,
                         cwd=ROOT, env=env)
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
    ap.add_argument("--warm-up", type=int, default=200, help="sales before the first RSS")
    ap.add_argument("--rss-at", default="250,500,1000,2000",
                    help="RSS after these numbers of sales past the warm-up")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-cache start-ups")
    ap.add_argument("--from-source", action="store_true",
                    help="start-ups without bytecode (every run compiles our modules)")
    ap.add_argument("--busy-poll", action="store_true",
                    help="also time every other scan by busy-polling (the previous method)")
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
    phases = Phases(term, window.counter)
    shown, polled = [], []
    for i, (payload, name) in enumerate(people[:-1]):
        if args.busy_poll and i % 2:
            polled.append(scan_to_shown(app, window, payload, name, busy=True))
        else:
            shown.append(scan_to_shown(app, window, payload, name, phases))
    say(f"scan to member shown: p50 {pct(shown, .5):.2f} ms  p99 {pct(shown, .99):.2f} ms "
        f"over {len(shown)} scans (budget 10 / 30); load {os.getloadavg()[0]:.2f}")
    say(f"  phases p50 (ms): {phases.medians()}")
    if polled:
        say(f"  busy-polling instead (previous method), interleaved: p50 {pct(polled, .5):.2f} ms"
            f"  p99 {pct(polled, .99):.2f} ms over {len(polled)} scans")
    say(f"ratio={pct(shown, .5) / pct(bare, .5):.2f}")
    time.sleep(args.idle)
    idle = scan_to_shown(app, window, *people[-1], phases)
    split = "  ".join(f"{k} {v * 1000:.2f}" for k, v in phases.series[-1].items())
    say(f"first scan after {args.idle:.0f} s idle: {idle * 1000:.2f} ms (budget 50); {split}")
    window.counter.reset()
    marks = [int(m) for m in args.rss_at.split(",")]
    points = rss_series(app, worker, window, args.warm_up, marks)
    say(f"RSS after {args.warm_up} warm-up sales, then +{', +'.join(map(str, marks))}: "
        f"{', '.join(f'{mb:.1f}' for _, mb in points)} MB; slope "
        f"{slope(points):+.2f} MB per 1,000 sales (budget 300, flat)")
    window.close()
    worker.shutdown()
    term.close()
    env = startup_env(work, args.from_source)
    subprocess.run([sys.executable, "-c", STARTUP, str(work), repr(time.time())], check=True,
                   capture_output=True, cwd=ROOT, env=env)  # compiles the bytecode once
    how = "from source, no bytecode" if args.from_source else "bytecode compiled, as installed"
    for cold in (False, True):
        if cold and args.no_cold:
            continue
        starts, verifier = startup_times(work, args.starts, env, cold=cold)
        say(f"start to ready counter, {'cold' if cold else 'warm'} file cache ({how}): median "
            f"{statistics.median(starts):.3f} s (runs {', '.join(f'{s:.3f}' for s in starts)}; "
            f"budget 1.0; load {os.getloadavg()[0]:.2f}); signature library loaded after "
            f"{statistics.median(verifier):.3f} s")
    for cold in (False, True):
        if cold and args.no_cold:
            continue
        starts = app_start_times(work, args.starts, env, cold=cold)
        say(f"the app as started by a user (launcher -> CLI open) to its login screen shown, "
            f"{'cold' if cold else 'warm'} file cache: median {statistics.median(starts):.3f} s "
            f"(runs {', '.join(f'{s:.3f}' for s in starts)}; load {os.getloadavg()[0]:.2f})")
    say("heaviest imports at start-up (cumulative):")
    for line in heaviest_imports(work, env):
        say("   " + line)


if __name__ == "__main__":
    main()
