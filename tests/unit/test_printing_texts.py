"""Printed strings: both languages complete, dates in shop time, Turkish suffixes, values."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest

from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.printing import texts


def fields(template: str) -> set[str]:
    """Names of the placeholders of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    assert texts.TEXTS["tr"].keys() == texts.TEXTS["en"].keys()
    for key, turkish in texts.TEXTS["tr"].items():
        english = texts.TEXTS["en"][key]
        if key == "tier_progress":  # Turkish puts the tier name in the dative ("Altın'a")
            assert fields(turkish) == {"tier_dative", "amount"}
            assert fields(english) == {"tier", "amount"}
            continue
        assert fields(turkish) == fields(english), key


@pytest.mark.parametrize(("value", "lang", "expected"), [
    ("2026-11-23T14:05:00+03:00", "tr", "23.11.2026 14:05"),
    ("2026-11-23T14:05:00+03:00", "en", "23 Nov 2026 14:05"),
    ("2026-11-23T21:30:00+00:00", "tr", "24.11.2026 00:30"),  # UTC evening is the next day
    (datetime(2027, 1, 5, 6, 0, tzinfo=UTC), "en", "5 Jan 2027 09:00"),
])
def test_times_are_written_in_istanbul_time(value, lang, expected):
    assert texts.format_datetime(value, lang) == expected


def test_another_shop_time_zone_is_honoured():
    assert texts.format_datetime("2026-07-01T12:00:00+03:00", "tr", "Europe/London") == (
        "01.07.2026 10:00")
    assert texts.format_date("2026-12-31T23:30:00+00:00", "en", "Asia/Tokyo") == "1 Jan 2027"


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(InvalidInput) as error:
        texts.format_datetime("2026-07-01T12:00:00+03:00", "tr", "Europe/Atlantis")
    assert error.value.code == "unknown_timezone"


@pytest.mark.parametrize("bad", ["2026-11-23T14:05:00", "yesterday", None])
def test_a_time_without_offset_or_unreadable_is_refused(bad):
    with pytest.raises(InvalidInput) as error:
        texts.format_datetime(bad, "tr")
    assert error.value.code == "invalid_time"


@pytest.mark.parametrize(("name", "expected"), [
    ("Altın", "Altın'a"), ("Gümüş", "Gümüş'e"), ("Platin", "Platin'e"), ("Bronz", "Bronz'a"),
    ("Elmas", "Elmas'a"), ("Safir", "Safir'e"), ("Kobalt", "Kobalt'a"), ("Zümrüt", "Zümrüt'e"),
    ("Yakut", "Yakut'a"), ("Vega", "Vega'ya"), ("Süper", "Süper'e"), ("Kule", "Kule'ye"),
    ("ALTIN", "ALTIN'a"), ("İNCİ", "İNCİ'ye"),
])
def test_turkish_dative_follows_vowel_harmony(name, expected):
    assert texts.turkish_dative(name) == expected


def test_tier_progress_in_both_languages():
    assert texts.tier_progress("Altın", 125000, "tr") == "Altın'a 1.250,00 ₺ kaldı"
    assert texts.tier_progress("Altın", 125000, "en") == "₺1,250.00 to Altın"


@pytest.mark.parametrize(("coupon", "lang", "expected"), [
    ({"value": 5000, "percent": None}, "tr", "50,00 ₺ indirim"),
    ({"value": 5000, "percent": None}, "en", "₺50.00 off"),
    ({"value": 10000, "percent": 20}, "tr", "%20 indirim (en fazla 100,00 ₺)"),
    ({"value": 10000, "percent": 20}, "en", "20% off (up to ₺100.00)"),
    ({"value": 0, "percent": 12.5}, "tr", "%12,5 indirim"),
    ({"value": 0, "percent": 12.5}, "en", "12.5% off"),
])
def test_coupon_value(coupon, lang, expected):
    assert texts.coupon_value(coupon, lang) == expected


def test_points_are_grouped_per_language():
    assert texts.points(1234567, "tr") == "1.234.567"
    assert texts.points(1234567, "en") == "1,234,567"
    assert texts.points(-53, "tr") == "-53"


def test_kind_labels_fall_back_for_unknown_kinds():
    assert texts.coupon_kind("birthday", "tr") == "Doğum günü kuponu"
    assert texts.coupon_kind("mystery", "en") == "Coupon"
    assert texts.bonus_label("welcome", "en") == "Welcome bonus"
    assert texts.bonus_label(None, "tr") == "Bonus puan"


def test_default_tier_names_and_unknown_language():
    assert texts.tier_name("gumus") == "Gümüş"
    assert texts.tier_name("vip_plus") == "Vip Plus"
    with pytest.raises(InvalidInput):
        texts.text("thanks", "fr")
