"""QR and Code128 sizing: whole printer dots, quiet zones, refusal of what cannot print."""

from __future__ import annotations

import pytest
from reportlab.lib.units import mm

from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.printing import codes


def whole_dots(value: float) -> bool:
    """True if `value` points is a whole number of 203 dpi dots."""
    return abs(value / codes.DOT - round(value / codes.DOT)) < 1e-6


def test_dark_runs_merge_neighbouring_modules():
    row = [False, True, True, False, True, False, False, True]
    assert codes.dark_runs(row) == [(1, 2), (4, 1), (7, 1)]
    assert codes.dark_runs([False] * 5) == []


def test_numeric_payload_qr_has_a_four_module_quiet_zone():
    matrix = codes.qr_matrix("1" * 177)
    size = len(matrix)
    assert size == 45  # version 5 (37 modules) + 2 x 4 quiet modules
    for ring in range(codes.QR_QUIET_MODULES):
        assert not any(matrix[ring]) and not any(matrix[size - 1 - ring])
        assert not any(row[ring] or row[size - 1 - ring] for row in matrix)
    assert matrix[4][4]  # the finder pattern starts right after the quiet zone


@pytest.mark.parametrize("payload", ["", "12a4", "１２３", "12 34"])
def test_qr_payload_must_be_ascii_digits(payload):
    with pytest.raises(InvalidInput) as error:
        codes.qr_matrix(payload)
    assert error.value.code == "invalid_card_payload"


def test_qr_modules_are_whole_dots_and_fit():
    module = codes.qr_module_size(45, 34 * mm)
    assert whole_dots(module)
    assert module * 45 <= 34 * mm < (module + codes.DOT) * 45
    with pytest.raises(InvalidInput):
        codes.qr_module_size(45, 10 * mm)


def test_code128_uses_three_dot_modules_when_the_paper_allows():
    barcode = codes.code128("248291365018", 48 * mm)
    assert barcode.module == pytest.approx(0.375 * mm)
    # start + 6 digit pairs + check + stop = 8 x 11 + 13 modules, plus 2 x 10 quiet
    assert barcode.width == pytest.approx((8 * 11 + 13 + 20) * barcode.module)


def test_code128_falls_back_to_two_dots_then_refuses():
    value = "248291365018"
    assert codes.code128(value, 40 * mm).module == pytest.approx(0.25 * mm)
    with pytest.raises(InvalidInput) as error:
        codes.code128(value, 25 * mm)
    assert error.value.code == "barcode_too_wide"


@pytest.mark.parametrize("value", ["", "KUPON-Ş1", "tab\there"])
def test_code128_refuses_what_it_cannot_encode(value):
    with pytest.raises(InvalidInput):
        codes.code128(value, 70 * mm)


def test_snapping_puts_positions_on_the_dot_grid():
    assert whole_dots(codes.snap_to_dots(13.37))
    assert abs(codes.snap_to_dots(13.37) - 13.37) <= codes.DOT / 2

