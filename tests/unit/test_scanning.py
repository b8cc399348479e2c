"""The keyboard-wedge burst detector, keyboard layouts, and the search box classifier."""

from __future__ import annotations

import random
import string

import pytest

from loyalty_desktop.domain.cards import (
    encode_card_payload,
    is_valid_card_number,
    luhn_check_digit,
    new_coupon_code,
    new_issuer_key,
)
from loyalty_desktop.domain.scanning import (
    ENTER,
    US_TO_TR_F,
    US_TO_TR_Q,
    PassEnter,
    Release,
    Scan,
    WedgeDetector,
    classify_input,
    normalize_scanned,
    replay,
)

PAYLOAD = encode_card_payload("9790123456789010", 2, new_issuer_key(1))
CARD = "9790123456789010"


def timed(text: str, gaps: tuple[float, float], rng: random.Random, start: float = 0.0):
    """Recorded (t_ms, key) events for `text` typed with gaps drawn from `gaps`."""
    events, t = [], start
    for i, char in enumerate(text):
        if i:
            t += rng.uniform(*gaps)
        events.append((t, char))
    return events


def released(actions) -> str:
    """Everything handed back to the widget, in order."""
    return "".join(a.text for a in actions if isinstance(a, Release))


def scans(actions) -> list[str]:
    """The payloads of the scans recognised."""
    return [a.payload for a in actions if isinstance(a, Scan)]


# --- the burst detector with recorded timings -------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_a_scan_at_2_to_8_ms_is_one_scan_and_nothing_released(seed):
    rng = random.Random(seed)
    events = timed(PAYLOAD, (2, 8), rng, start=1000.0)
    events.append((events[-1][0] + rng.uniform(2, 8), ENTER))
    assert replay(WedgeDetector(), events) == [Scan(PAYLOAD)]


@pytest.mark.parametrize("code", [CARD, new_coupon_code(), "12345678"])
def test_shorter_codes_scan_too(code):
    events = timed(code, (1, 15), random.Random(3))
    events.append((events[-1][0] + 5, ENTER))
    assert replay(WedgeDetector(), events) == [Scan(code)]


def test_a_person_typing_at_90_to_250_ms_gets_every_key_back_in_order():
    events = timed("Ayşe Yılmaz", (90, 250), random.Random(7))
    actions = replay(WedgeDetector(), events)
    assert actions == [Release(char) for char in "Ayşe Yılmaz"]


def test_a_fast_typists_40_to_60_ms_bursts_are_released():
    rng = random.Random(11)
    events = timed("0532", (40, 60), rng) + timed("1234567", (40, 60), rng, start=600)
    events.append((events[-1][0] + 50, ENTER))
    actions = replay(WedgeDetector(), events)
    assert released(actions) == "05321234567"
    assert actions[-1] == PassEnter() and not scans(actions)


def test_key_rollover_within_the_gap_is_released_together():
    events = [(0, "a"), (12, "b"), (200, "c"), (205, ENTER)]
    assert replay(WedgeDetector(), events) == [Release("ab"), Release("c"), PassEnter()]


def test_a_scan_starting_while_a_typed_key_is_held():
    rng = random.Random(5)
    events = [(0.0, "A"), (14.0, "y")] + timed(PAYLOAD, (2, 8), rng, start=30.0)
    events.append((events[-1][0] + 4, ENTER))
    assert replay(WedgeDetector(), events) == [Release("Ay"), Scan(PAYLOAD)]


@pytest.mark.parametrize(
    ("typed", "code"), [("5", PAYLOAD), ("2", CARD), ("x", CARD), ("07", CARD)]
)
def test_a_typed_digit_before_a_scan_is_split_off_by_the_code_shape(typed, code):
    events = timed(typed, (10, 10), random.Random(0)) + timed(
        code, (2, 8), random.Random(1), start=20
    )
    events.append((events[-1][0] + 3, ENTER))
    assert replay(WedgeDetector(), events) == [Release(typed), Scan(code)]


def test_a_foreign_code_is_scanned_whole():
    events = timed("ABC-12345-XYZ", (2, 5), random.Random(2))
    events.append((events[-1][0] + 3, ENTER))
    assert replay(WedgeDetector(), events) == [Scan("ABC-12345-XYZ")]


def test_a_scan_typed_with_shift_under_turkish_q_arrives_as_digits():
    shifted = "".join(US_TO_TR_Q["!@#$%^&*()"["1234567890".index(d)]] for d in PAYLOAD)
    events = timed(shifted, (2, 8), random.Random(4))
    events.append((events[-1][0] + 3, ENTER))
    assert replay(WedgeDetector(), events) == [Scan(PAYLOAD)]


def test_a_late_enter_hands_the_whole_burst_to_the_widget():
    events = timed(PAYLOAD, (2, 8), random.Random(6))
    events.append((events[-1][0] + 40, ENTER))
    assert replay(WedgeDetector(), events) == [Release(PAYLOAD), PassEnter()]


def test_a_slow_scanner_needs_a_longer_gap():
    events = timed(CARD, (30, 35), random.Random(8))
    events.append((events[-1][0] + 30, ENTER))
    assert not scans(replay(WedgeDetector(), events))
    assert replay(WedgeDetector(max_gap_ms=40), events) == [Scan(CARD)]


def test_late_timer_the_next_key_releases_the_old_burst_first():
    detector = WedgeDetector()
    assert detector.feed("a", 0) == []
    assert detector.feed("b", 100) == [Release("a")]
    assert detector.enter(300) == [Release("b"), PassEnter()]


def test_gap_exactly_max_gap_continues_and_the_timer_releases_at_the_deadline():
    detector = WedgeDetector(max_gap_ms=25, min_length=2)
    detector.feed("1", 0)
    assert detector.pending_deadline() == 25
    assert detector.feed("2", 25) == []
    assert detector.timeout(49.9) == []  # a spurious early timer does nothing
    assert detector.timeout(50) == [Release("12")]
    assert detector.pending_deadline() is None
    assert detector.timeout(80) == []


def test_enter_and_flush_with_nothing_held():
    detector = WedgeDetector()
    assert detector.enter(0) == [PassEnter()]
    assert detector.flush() == []
    detector.feed("x", 1)
    detector.feed("y", 2)
    assert detector.flush() == [Release("xy")]
    assert detector.pending_deadline() is None


def test_a_short_fast_burst_with_enter_is_not_a_scan():
    events = [(0, "4"), (3, "2"), (6, ENTER)]
    assert replay(WedgeDetector(), events) == [Release("42"), PassEnter()]


def test_empty_keystroke_text_is_ignored():
    detector = WedgeDetector()
    assert detector.feed("", 0) == [] and detector.pending_deadline() is None


@pytest.mark.parametrize("args", [(0, 8), (25, 0), (-1, 8)])
def test_detector_refuses_impossible_settings(args):
    with pytest.raises(ValueError):
        WedgeDetector(*args)


# --- keyboard layouts -------------------------------------------------------------------

US_PRINTABLE = set(string.ascii_letters + string.digits + string.punctuation + " ")


@pytest.mark.parametrize("layout", [US_TO_TR_Q, US_TO_TR_F], ids=["tr_q", "tr_f"])
def test_layouts_cover_every_printable_us_key_one_to_one(layout):
    assert set(layout) == US_PRINTABLE
    assert len(set(layout.values())) == len(layout)


@pytest.mark.parametrize("digit", list("0123456789"))
def test_every_payload_digit_is_the_same_under_the_three_layouts(digit):
    assert US_TO_TR_Q[digit] == US_TO_TR_F[digit] == digit
    assert normalize_scanned(digit) == digit


@pytest.mark.parametrize("layout", [None, US_TO_TR_Q, US_TO_TR_F], ids=["us", "tr_q", "tr_f"])
def test_a_payload_survives_each_layout(layout):
    typed = PAYLOAD if layout is None else "".join(layout[c] for c in PAYLOAD)
    assert typed == PAYLOAD
    assert normalize_scanned(typed + "\r\n") == PAYLOAD


# (US keys, Turkish-Q result, Turkish-F result): the symbol rows and punctuation keys.
SYMBOL_ROWS = [
    ("`1234567890-=", '"1234567890*-', "+1234567890/-"),
    ("~!@#$%^&*()_+", "é!'^+%&/()=?_", "*!\"^$%&'()=?_"),
    ("[]\\", "ğü,", "qwx"),
    ("{}|", "ĞÜ;", "QWX"),
    (";'", "şi", "yş"),
    (':"', "Şİ", "YŞ"),
    (",./", "öç.", "b.,"),
    ("<>?", "ÖÇ:", "B:;"),
    ("qwertyuiop", "qwertyuıop", "fgğıodrnhp"),
    ("asdfghjkl", "asdfghjkl", "uieaütkml"),
    ("zxcvbnm", "zxcvbnm", "jövcçzs"),
    ("QWERTYUIOP", "QWERTYUIOP", "FGĞIODRNHP"),
    ("ASDFGHJKL", "ASDFGHJKL", "UİEAÜTKML"),
    ("ZXCVBNM", "ZXCVBNM", "JÖVCÇZS"),
]


@pytest.mark.parametrize(("us", "tr_q", "tr_f"), SYMBOL_ROWS)
def test_symbol_rows_table(us, tr_q, tr_f):
    assert "".join(US_TO_TR_Q[c] for c in us) == tr_q
    assert "".join(US_TO_TR_F[c] for c in us) == tr_f


SHIFT = dict(zip("1234567890", "!@#$%^&*()", strict=True))


@pytest.mark.parametrize("layout", [None, US_TO_TR_Q, US_TO_TR_F], ids=["us", "tr_q", "tr_f"])
@pytest.mark.parametrize("seed", range(3))
def test_a_payload_typed_with_shift_is_recovered_under_each_layout(layout, seed):
    payload = encode_card_payload(CARD, seed + 1, new_issuer_key(seed))
    keys = (SHIFT[d] for d in payload)
    typed = "".join(keys) if layout is None else "".join(layout[k] for k in keys)
    assert not typed.isdigit()
    assert normalize_scanned(typed) == payload


# Shift+digit symbols arriving alone: decoded when every layout that can type them agrees.
SHIFTED_ALONE = [
    ("!", "1"),  # Shift+1 everywhere
    ("%", "5"),  # Shift+5 everywhere
    ("+", "4"),  # only Turkish-Q
    ("/", "7"),  # only Turkish-Q
    ("=", "0"),  # both Turkish layouts
    ('"', "2"),  # only Turkish-F
    ("$", "4"),  # US and Turkish-F agree
    ("@", "2"),  # only US
    ("'", "'"),  # Turkish-Q 2 or Turkish-F 7
    ("^", "^"),  # US 6 or Turkish 3
    ("&", "&"),  # US 7 or Turkish 6
    ("(", "("),  # US 9 or Turkish 8
    (")", ")"),  # US 0 or Turkish 9
]


@pytest.mark.parametrize(("symbol", "meant"), SHIFTED_ALONE)
def test_a_lone_shifted_digit_is_decoded_only_when_unambiguous(symbol, meant):
    assert normalize_scanned(symbol) == meant


TURKISH_READING = {"!": "1", "%": "5", "^": "3", "&": "6", "(": "8", ")": "9"}


def shifted_card_that_only_us_explains() -> tuple[str, str]:
    """A card number whose US-shifted symbols also read as a (wrong) Turkish-layout number."""
    rng = random.Random(42)
    while True:
        body = "".join(rng.choice("156790") for _ in range(15))
        card = body + luhn_check_digit(body)
        if set(card) <= set("156790"):
            typed = "".join(SHIFT[d] for d in card)
            as_turkish = "".join(TURKISH_READING[c] for c in typed)
            if not is_valid_card_number(as_turkish):
                return card, typed


def test_ambiguous_symbols_are_settled_by_the_check_digit():
    card, typed = shifted_card_that_only_us_explains()
    assert set(typed) & set("^&()")  # the Turkish layouts read these differently
    assert normalize_scanned(typed) == card


@pytest.mark.parametrize(
    ("arrived", "meant"),
    [
        ("１２３４５", "12345"),  # full-width digits from an IME
        ("٣٤٥", "345"),  # Arabic-Indic digits
        ("  0123\r\n", "0123"),
        ("!%", "15"),  # every layout agrees
        ("^", "^"),  # US Shift+6 or Turkish Shift+3: left alone
        ("Ayşe", "Ayşe"),
        ("", ""),
    ],
)
def test_normalize_scanned_examples(arrived, meant):
    assert normalize_scanned(arrived) == meant


# --- the search box ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (PAYLOAD, "payload"),
        (f" {PAYLOAD}\n", "payload"),
        (CARD, "card_number"),
        ("9790 1234 5678 9010", "card_number"),
        ("9790-1234-5678-9011", "card_number"),  # wrong check digit: parse explains it
        ("212345678909", "coupon_code"),
        ("2123 4567 8909", "coupon_code"),
        ("0532 123 45 67", "phone"),
        ("+90 (532) 123-45-67", "phone"),
        ("5321234567", "phone"),
        ("905321234567", "phone"),
        ("+212345678909", "phone"),  # a + means a phone, not a coupon
        ("123456789", "name"),  # too short for anything
        ("Ayşe Yılmaz", "name"),
        ("ışık", "name"),
        ("", "name"),
        ("1" * 176, "name"),
    ],
)
def test_classify_input(text, kind):
    assert classify_input(text) == kind
