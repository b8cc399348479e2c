"""Receipt benchmark: a realistic sale slip with two Code128 coupons, and a QR card.

Prints p50/p90 in ms of each after a warm-up, and on the last line
`ratio=<p50 slip with codes / p50 bare ReportLab drawing the same text, no codes>`.
Budget: slip p50 <= 25 ms after warm-up.

    .venv/bin/python benchmarks/receipt.py [-n 200] [--warmup 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from loyalty_desktop.domain.cards import encode_card_payload, new_issuer_key  # noqa: E402
from loyalty_desktop.printing import samples  # noqa: E402
from loyalty_desktop.printing.cards import CardFace, render_cards_pdf  # noqa: E402
from loyalty_desktop.printing.receipt import (  # noqa: E402
    ReceiptContext,
    build_sale_slip,
    render_sale_receipt,
)
from loyalty_desktop.printing.slip import TOP_BOTTOM_MARGIN, TextLine  # noqa: E402

BUDGET_MS = 25.0
CONTEXT = ReceiptContext(shop_name="Köşebaşı Şarküteri & Kuruyemiş",
                         shop_address="Bağdat Cad. No: 123, Kadıköy / İstanbul",
                         terminal_name="Kasa 1", cashier="Ayşe Yılmaz")


def timings(actions: dict[str, Callable[[], object]], runs: int,
            warmup: int) -> dict[str, list[float]]:
    """Milliseconds of `runs` calls of each action, after `warmup` untimed calls.

    The actions take turns, so load from other processes on the machine hits them alike.
    """
    for _ in range(warmup):
        for action in actions.values():
            action()
    result: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            result[name].append((time.perf_counter() - start) * 1000)
    return result


def text_only_drawer(sale: dict) -> Callable[[], bytes]:
    """The bare operation: ReportLab drawing the slip's lines of text, no codes, no layout."""
    slip = build_sale_slip(sale, CONTEXT)
    lines, top = [], slip.height - TOP_BOTTOM_MARGIN
    for item in slip.items:
        if isinstance(item, TextLine):
            lines.append((item, top - item.size * 1.02))
        top -= item.height

    def draw() -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(slip.page_width, slip.height), invariant=1)
        for item, baseline in lines:
            canvas.setFont(item.font, item.size)
            canvas.drawString(slip.left, baseline, item.text)
            if item.right_text:
                canvas.drawRightString(slip.left + slip.width, baseline, item.right_text)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    return draw


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    """Run the three measurements and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    sale = samples.sample_sale(coupons=2)
    number = sale["member"]["card_number"]
    payload = encode_card_payload(number, 1, new_issuer_key(1))
    card = CardFace(CONTEXT.shop_name, "Çiğdem Işık", number, payload)
    cases = {
        "receipt (2 Code128 coupons)": lambda: render_sale_receipt(sale, CONTEXT),
        "card (CR80, QR)": lambda: render_cards_pdf([card]),
        "bare ReportLab text, no codes": text_only_drawer(sale),
    }
    p50 = {}
    for name, values in timings(cases, args.runs, args.warmup).items():
        p50[name] = statistics.median(values)
        print(f"{name:32s} p50={p50[name]:7.2f} ms  p90={percentile(values, 0.9):7.2f} ms")
    receipt_p50 = p50["receipt (2 Code128 coupons)"]
    verdict = "within" if receipt_p50 <= BUDGET_MS else "OVER"
    print(f"budget: receipt p50 {receipt_p50:.2f} ms {verdict} {BUDGET_MS:.0f} ms")
    print(f"ratio={receipt_p50 / p50['bare ReportLab text, no codes']:.2f}")
    return 0 if receipt_p50 <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
