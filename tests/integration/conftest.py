"""Fixtures: each test gets a fresh terminal on a real SQLite file."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from loyalty_desktop.services import open_terminal

IST = ZoneInfo("Europe/Istanbul")
OWNER_PIN = "4321"
MANAGER_PIN = "9876"


def t(text: str) -> datetime:
    """A shop-time moment from '2026-01-15 10:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=IST)


@pytest.fixture
def terminal(tmp_path):
    term = open_terminal(tmp_path / "data")
    term.init_shop("Kahve Dükkanı", "Oya Sahip", OWNER_PIN, at=t("2025-01-01 09:00"))
    term.add_staff("Mehmet Müdür", "manager", MANAGER_PIN, by_pin=OWNER_PIN)
    cashier = term.add_staff("Ayşe Kasiyer", "cashier", "1111", by_pin=OWNER_PIN)
    term.cashier = cashier  # type: ignore[attr-defined]
    yield term
    term.close()


@pytest.fixture
def enrol(terminal):
    def _enrol(name="Çiğdem Işık", phone=None, at="2025-01-02 10:00", **kw):
        return terminal.enrol(name, phone=phone, at=t(at), **kw)
    return _enrol


def table_counts(term) -> dict[str, int]:
    """Row counts of every table (to prove an error wrote nothing)."""
    names = [r[0] for r in term.db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'members_fts_%'")]
    return {n: term.db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
