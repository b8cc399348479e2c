"""Local settings, the redemption maximum and the cashier's one-minute undo, on real SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loyalty_desktop.domain.errors import InvalidInput, PermissionDenied, Refused

from .conftest import MANAGER_PIN, table_counts


def test_settings_have_declared_defaults_and_types(terminal):
    assert terminal.setting("autolock_minutes") == 5
    assert terminal.setting("camera_scanner") is False
    assert terminal.setting("terminal_name") == "Kasa 1"
    assert terminal.setting("serial_scanner_port", "COM9") == "COM9"
    keys = [s["key"] for s in terminal.settings()]
    assert keys == ["autolock_minutes", "receipt_printer", "receipt_width_mm",
                    "serial_scanner_port", "camera_scanner", "language", "terminal_name"]
    assert all(s["help"] for s in terminal.settings())


def test_set_setting_needs_a_manager_and_is_audited_with_before_and_after(terminal):
    with pytest.raises(PermissionDenied):
        terminal.set_setting("autolock_minutes", 10, "1111")  # a cashier's PIN
    assert terminal.setting("autolock_minutes") == 5
    result = terminal.set_setting("autolock_minutes", "10", MANAGER_PIN)
    assert result == {"key": "autolock_minutes", "value": 10, "before": 5}
    assert terminal.setting("autolock_minutes") == 10
    terminal.set_setting("camera_scanner", True, MANAGER_PIN)
    assert terminal.setting("camera_scanner") is True
    rows = [r for r in terminal.audit_log() if r["action"] == "setting_changed"]
    assert rows[0]["subject"] == "camera_scanner"
    assert rows[1]["before"] == {"autolock_minutes": 5}
    assert rows[1]["after"] == {"autolock_minutes": 10}


@pytest.mark.parametrize("key, value, code", [
    ("printer_colour", "red", "setting_unknown"),
    ("receipt_width_mm", 70, "invalid_setting"),
    ("language", "de", "invalid_setting"),
    ("autolock_minutes", 0, "invalid_setting"),
    ("autolock_minutes", "beş", "invalid_setting"),
    ("camera_scanner", "maybe", "invalid_setting"),
])
def test_bad_settings_are_refused_with_nothing_written(terminal, key, value, code):
    before = table_counts(terminal)
    with pytest.raises(InvalidInput) as err:
        terminal.set_setting(key, value, MANAGER_PIN)
    assert err.value.code == code
    assert table_counts(terminal) == before


def test_redeem_limit_is_the_rule_the_sale_enforces(terminal, enrol):
    member = enrol()
    terminal.adjust(member["member_id"], 800, "açılış", MANAGER_PIN)
    mid = member["member_id"]
    assert terminal.redeem_limit(mid, "100") == 800  # 100 TL buys 1000 points, she has 800
    assert terminal.redeem_limit(mid, "30") == 300
    assert terminal.redeem_limit(mid, "4") == 0  # 40 points: below the minimum of 50
    terminal.save_sync_state(server_url="https://example.invalid")  # paired, never synced
    assert terminal.redeem_limit(mid, "100") == 500  # the offline daily limit
    terminal.sale(mid, "100", redeem_points=200)
    assert terminal.redeem_limit(mid, "100") == 300
    with pytest.raises(Refused):
        terminal.preview_sale(mid, "100", redeem_points=301)


def test_cashier_undoes_her_last_sale_within_a_minute(terminal, enrol):
    member = enrol()
    cashier = terminal.cashier["staff_id"]
    sale = terminal.sale(member["member_id"], "1000", staff_id=cashier)
    undone = terminal.undo_last_sale(sale["sale_id"], cashier,
                                     at=terminal.now() + timedelta(seconds=30))
    assert undone["is_full"] and undone["money_refunded"] == 100000
    assert undone["member"]["points"] == 0
    again = terminal.undo_last_sale(sale["sale_id"], cashier)
    assert again == undone  # a double tap writes nothing more
    audit = [r for r in terminal.audit_log() if r["action"] == "sale_undone"]
    assert audit[0]["subject"] == sale["sale_id"] and audit[0]["staff_id"] == cashier


def test_undo_is_refused_when_a_manager_is_needed(terminal, enrol):
    member = enrol()
    cashier = terminal.cashier["staff_id"]
    manager = next(s["staff_id"] for s in terminal.list_staff() if s["role"] == "manager")
    first = terminal.sale(member["member_id"], "100", staff_id=cashier)
    second = terminal.sale(member["member_id"], "200", staff_id=cashier)
    before = table_counts(terminal)
    cases = [(first["sale_id"], cashier, 0, "undo_not_last"),
             (second["sale_id"], manager, 0, "undo_other_cashier"),
             (second["sale_id"], cashier, 61, "undo_too_late")]
    for sale_id, staff, seconds, code in cases:
        with pytest.raises(Refused) as err:
            terminal.undo_last_sale(sale_id, staff, at=terminal.now() + timedelta(seconds=seconds))
        assert err.value.code == code
    assert table_counts(terminal) == before
    terminal.refund(second["sale_id"], "50", manager_pin=MANAGER_PIN)
    with pytest.raises(Refused) as err:
        terminal.undo_last_sale(second["sale_id"], cashier)
    assert err.value.code == "undo_refunded"
