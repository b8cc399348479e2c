"""Report outputs: the PDF says what --json says, CSV tables, daily slip, consent-checked exports."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from loyalty_desktop.cli import main
from loyalty_desktop.printing.report_texts import decimal, money, number
from loyalty_desktop.services.reports import export_segment

from .conftest import t
from .test_reports import shop  # noqa: F401  (the hand-computed store)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")


def cli(capsys, term, *args):
    """Run the CLI on the fixture's data directory (the fixture's own handle closed first)."""
    term.close()
    code = main(["--data-dir", str(term.data_dir), *args, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def pdf_text(path) -> str:
    """The PDF's text with pdftotext, whitespace squeezed."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return " ".join(text.split())


@needs_poppler
@pytest.mark.parametrize("lang", ["tr", "en"])
def test_pdf_shows_the_json_numbers(shop, capsys, tmp_path, lang):  # noqa: F811
    term, _, _ = shop
    out = tmp_path / "r.pdf"
    r = cli(capsys, term, "report", "monthly", "--month", "2026-03", "--out", str(out),
            "--lang", lang)
    text = pdf_text(out)
    p, s, m = r["points"], r["sales"], r["members"]
    assert ("Mart 2026" if lang == "tr" else "March 2026") in text
    for value in (p["opening"], p["issued"], p["closing"], m["total"]):
        assert number(value, lang) in text
    for kurus in (p["liability"], s["member_total"], s["average_basket"], r["clv"]["average"],
                  s["refunded_total"]):
        assert money(kurus, lang) in text
    assert decimal(r["feedback"]["nps"]["score"], lang) in text
    assert ("TUTUYOR" if lang == "tr" else "HOLDS") in text
    for line in r["summary"][lang]:
        assert " ".join(line.split()) in text
    assert r["top_members"][0]["name"] in text
    assert subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout.count("595.276 x 841.89") == 1  # A4


def test_csv_dir_has_every_table(shop, capsys, tmp_path):  # noqa: F811
    term, _, _ = shop
    r = cli(capsys, term, "report", "monthly", "--month", "2026-03", "--csv-dir",
            str(tmp_path / "csv"))
    assert len(r["csv_files"]) == 13
    with open(tmp_path / "csv" / "2026-03-points.csv", encoding="utf-8-sig") as handle:
        rows = dict(csv.reader(handle))
    assert rows["closing"] == str(r["points"]["closing"]) and rows["checked"] == "True"
    with open(tmp_path / "csv" / "2026-03-revenue_by_day.csv", encoding="utf-8-sig") as handle:
        days = list(csv.DictReader(handle))
    assert len(days) == 31 and sum(int(d["total_kurus"]) for d in days) == 95000


@needs_poppler
def test_daily_summary_and_slip(shop, capsys, tmp_path):  # noqa: F811
    term, _, _ = shop
    out = tmp_path / "d.pdf"
    d = cli(capsys, term, "report", "daily", "--day", "2026-03-01", "--out", str(out))
    assert d["sales"]["sales"] == 1 and d["sales"]["total"] == 15000
    assert d["points"]["issued"] == 15 and d["nps"]["answers"] == 1
    text = pdf_text(out)
    assert "GÜN SONU ÖZETİ" in text and money(15000, "tr") in text
    width = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "226.772 x" in width  # 80 mm paper


def test_segment_export_only_consented_live_members(terminal, tmp_path):
    ids = []
    for i, consents in enumerate([["sms"], ["sms"], [], ["email"]]):
        m = terminal.enrol(f"Üye {i}", phone=f"+90532000001{i}", email=f"u{i}@example.com",
                           consents=consents, at=t("2025-01-02 10:00"))
        ids.append(m["member_id"])
        terminal.sale(m["member_id"], 10000, at=t("2025-01-03 10:00"))
    terminal.erase_member(ids[1], "9876", at=t("2025-02-01 10:00"))
    out = tmp_path / "sms.csv"
    result = export_segment(terminal, "need_attention", "sms", out, at=t("2025-01-04 10:00"))
    with open(out, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["member_id"] for r in rows] == [ids[0]]  # 1 erased, 2 no consent, 3 email only
    assert rows[0]["phone"] == "+905320000010" and result["exported"] == 1
    export_segment(terminal, "need_attention", "email", out, at=t("2025-01-04 10:00"))
    with open(out, encoding="utf-8-sig") as handle:
        assert [r["email"] for r in csv.DictReader(handle)] == ["u3@example.com"]


def test_birthdays_next_month_and_unknown_segment(terminal, tmp_path):
    from loyalty_desktop.domain.errors import InvalidInput

    leap = terminal.enrol("Artık Yıl", phone="+905320000020", birthday="2000-02-29",
                          consents=["sms"], at=t("2025-01-02 10:00"))
    terminal.enrol("Ocak", phone="+905320000021", birthday="2000-01-15", consents=["sms"],
                   at=t("2025-01-02 10:00"))
    out = tmp_path / "b.csv"
    export_segment(terminal, "birthdays_next_month", "sms", out, at=t("2025-02-10 10:00"))
    with open(out, encoding="utf-8-sig") as handle:
        assert [r["member_id"] for r in csv.DictReader(handle)] == [leap["member_id"]]  # 1 Mar
    with pytest.raises(InvalidInput):
        export_segment(terminal, "vips", "sms", out)
