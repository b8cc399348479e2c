"""`loyalty-desktop --self-test`: prove that this build works on this machine, in seconds.

In a throw-away data folder it sets up a shop, enrols a member, records a sale through the
services, renders the sale's receipt and the member's card, rasterises both with QtPdf (the
renderer the counter prints with; poppler is not in the bundle), reads their barcodes back with
zxing-cpp and checks the card's signed payload. Each step prints one line; the first failure
stops the run with a message naming the step, and the exit code is 1 (0 when all pass).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

SHOP = "Öz Test Şarküteri"
OWNER, OWNER_PIN = "Gülşen Çakır", "2468"
MEMBER, MEMBER_PHONE = "Çiğdem Işık", "+905321234567"
SALE_TOTAL = 80000  # 800,00 ₺: earns points and issues a next-order coupon (750 ₺ and more)
RECEIPT_DPI, CARD_DPI = 203, 300  # a receipt printer's resolution; a card printer's


class SelfTestFailed(Exception):
    """A check of the self-test did not hold; the message says what was expected."""


@dataclass
class SelfTestRun:
    """What the steps share: the temporary folder, the terminal and what each step made."""

    folder: Path
    term: Any = None
    member: dict[str, Any] = field(default_factory=dict)
    sale: dict[str, Any] = field(default_factory=dict)


Step = tuple[str, Callable[[SelfTestRun], str]]


def check(condition: bool, message: str) -> None:
    """Raise SelfTestFailed with `message` unless `condition` holds."""
    if not condition:
        raise SelfTestFailed(message)


def step_resources(run: SelfTestRun) -> str:
    """The fonts and translations are where the printing and the window look for them."""
    from .printing.fonts import BOLD, MONO, REGULAR, font_path, register_fonts, resources_dir

    for name in (REGULAR, BOLD, MONO):
        check(font_path(name).is_file(), f"font {font_path(name)} is missing")
    qm = resources_dir() / "translations" / "loyalty_en.qm"
    check(qm.is_file() and qm.stat().st_size > 0, f"translation {qm} is missing or empty")
    register_fonts()
    return str(resources_dir())


def step_store(run: SelfTestRun) -> str:
    """A new data folder opens, migrates and takes a shop."""
    from .services import open_terminal

    run.term = open_terminal(run.folder / "data")
    run.term.init_shop(SHOP, OWNER, OWNER_PIN)
    report = run.term.check()
    check(report["ok"], f"the new store fails its own check: {report}")
    return f"SQLite {report['sqlite_version']}"


def step_enrol(run: SelfTestRun) -> str:
    """A member with a Turkish name gets a signed card."""
    run.member = run.term.enrol(MEMBER, phone=MEMBER_PHONE)
    check(run.member["name"] == MEMBER, f"enrolled name came back as {run.member['name']!r}")
    check(bool(run.member["card_payload"]), "the new member has no signed card payload")
    return f"card {run.member['card_number']}"


def step_sale(run: SelfTestRun) -> str:
    """An 800 ₺ sale earns points and issues a coupon."""
    run.sale = run.term.sale(run.member["member_id"], SALE_TOTAL)
    check(run.sale["money_paid"] == SALE_TOTAL, f"money paid is {run.sale['money_paid']}")
    check(run.sale["points_earned"] > 0, "the sale earned no points")
    check(bool(run.sale["coupons_issued"]), "an 800 ₺ sale issued no next-order coupon")
    return f"+{run.sale['points_earned']} points, {len(run.sale['coupons_issued'])} coupon(s)"


def step_receipt(run: SelfTestRun) -> str:
    """The receipt's coupon barcodes read back as the coupons the sale issued."""
    from .printing.receipt import ReceiptContext, render_sale_receipt

    shop = run.term.shop
    ctx = ReceiptContext(shop_name=shop["shop_name"], terminal_name=shop["terminal_name"],
                         cashier=OWNER, lang=shop["language"], timezone=shop["timezone"])
    pages = rasterise(render_sale_receipt(run.sale, ctx), RECEIPT_DPI, run.folder, "receipt")
    found = decode(pages, "Code128")
    issued = [coupon["code"] for coupon in run.sale["coupons_issued"]]
    check(found == issued, f"receipt barcodes read {found}, the sale issued {issued}")
    return f"{len(pages)} page(s), Code128 {', '.join(found)}"


def step_card(run: SelfTestRun) -> str:
    """The card's QR reads back as its signed payload and the terminal accepts the scan."""
    from .printing.cards import CardFace, render_cards_pdf

    face = CardFace(shop_name=SHOP, member_name=MEMBER, card_number=run.member["card_number"],
                    payload=run.member["card_payload"], lang=run.term.language)
    found = decode(rasterise(render_cards_pdf([face]), CARD_DPI, run.folder, "card"), "QRCode")
    check(found == [face.payload], f"card QR read {found}, expected the member's payload")
    scanned = run.term.scan(found[0])
    check(scanned["member_id"] == run.member["member_id"],
          "the scanned card verified as a different member")
    return "QR payload verified, scan finds the member"


def rasterise(pdf: bytes, dpi: int, folder: Path, name: str) -> list[Path]:
    """Every page of the PDF as a PNG file, rendered by QtPdf as the counter prints it."""
    from .ui.printing_qt import load_pdf, render_page

    document = load_pdf(pdf)
    paths = []
    for page in range(document.pageCount()):
        path = folder / f"{name}-{page + 1}.png"
        check(render_page(document, page, dpi).save(str(path), "PNG"), f"cannot write {path}")
        paths.append(path)
    return paths


def decode(pages: list[Path], kind: str) -> list[str]:
    """Texts of the barcodes of one kind (zxing-cpp's format name) on the pages, in order."""
    import zxingcpp
    from PIL import Image

    texts = []
    for path in pages:
        with Image.open(path) as image:
            texts += [code.text for code in zxingcpp.read_barcodes(
                image.convert("L"), formats=getattr(zxingcpp.BarcodeFormat, kind))]
    return texts


STEPS: list[Step] = [("resources", step_resources), ("store", step_store),
                     ("enrol", step_enrol), ("sale", step_sale),
                     ("receipt", step_receipt), ("card", step_card)]


def run_steps(steps: list[Step], run: SelfTestRun, out: TextIO) -> int:
    """Run the steps in order, one line each; stop at the first failure; return the exit code."""
    for name, step in steps:
        started = time.perf_counter()
        try:
            detail = step(run)
        except SelfTestFailed as exc:
            print(f"FAILED {name}: {exc}", file=out)
            return 1
        except Exception as exc:  # noqa: BLE001 (any breakage of the build is the finding)
            print(f"FAILED {name}: {type(exc).__name__}: {exc}", file=out)
            traceback.print_exc(file=sys.stderr)
            return 1
        print(f"ok     {name:<10} {time.perf_counter() - started:6.2f} s  {detail}", file=out)
    return 0


def run_self_test(out: TextIO = sys.stdout, steps: list[Step] | None = None) -> int:
    """The whole self-test in a temporary folder, removed afterwards; return the exit code."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="loyalty-selftest-"))
    run = SelfTestRun(folder)
    try:
        code = run_steps(STEPS if steps is None else steps, run, out)
    finally:
        if run.term is not None:
            run.term.close()
        shutil.rmtree(folder, ignore_errors=True)
    verdict = "passed" if code == 0 else "FAILED"
    print(f"self-test {verdict} in {time.perf_counter() - started:.2f} s", file=out)
    return code


def main(argv: list[str] | None = None) -> int:
    """Command-line entry (`--self-test` of the bundle, `python -m loyalty_desktop.selftest`)."""
    if argv:
        print(f"--self-test takes no arguments (got {' '.join(argv)})", file=sys.stderr)
        return 2
    return run_self_test()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
