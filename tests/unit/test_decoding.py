"""Serial line assembly, frame decoding, repeat filtering and the decode throttle (no I/O)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import qrcode

from loyalty_desktop.domain.cards import (
    encode_card_payload,
    new_card_number,
    new_coupon_code,
    new_issuer_key,
)
from loyalty_desktop.domain.decoding import (
    FrameThrottle,
    LineAssembler,
    RepeatFilter,
    TooLong,
    codes_in,
    decode_gray,
    gray_array,
    our_codes,
)

KEY = new_issuer_key(3)
CARD = new_card_number(randbits=random.Random(5).getrandbits)
PAYLOAD = encode_card_payload(CARD, 2, KEY)
COUPON = new_coupon_code(randbits=random.Random(6).getrandbits)


def qr_frame(text: str, box: int = 4) -> np.ndarray:
    """A grayscale frame (uint8) holding one QR code of `text`."""
    qr = qrcode.QRCode(box_size=box, border=4)
    qr.add_data(text)
    return np.array(qr.make_image().get_image().convert("L"), dtype=np.uint8)


# --- LineAssembler ----------------------------------------------------------------------
def test_a_line_arriving_in_fragments_is_one_scan():
    lines = LineAssembler()
    assert lines.feed(PAYLOAD[:50].encode()) == []
    assert lines.feed(PAYLOAD[50:170].encode()) == []
    assert lines.feed(PAYLOAD[170:].encode() + b"\r") == [PAYLOAD]
    assert lines.feed(b"\n") == []  # the LF of a CRLF split across reads is not a second scan


def test_several_lines_in_one_read_with_every_terminator():
    lines = LineAssembler()
    got = lines.feed(f"{CARD}\r\n{COUPON}\n{PAYLOAD}\r\r\n\n12345678".encode())
    assert got == [CARD, COUPON, PAYLOAD]
    assert lines.feed(b"\n") == ["12345678"]


def test_lines_are_normalised_and_stripped():
    lines = LineAssembler()
    # A scanner holding Shift under a Turkish-Q layout types these symbols for 1234567890.
    assert lines.feed("!'^+%&/()=\r\n".encode()) == ["1234567890"]
    assert lines.feed(b"  98765  \n   \n") == ["98765"]


def test_an_overlong_line_is_reported_once_and_dropped_to_its_end():
    lines = LineAssembler(max_length=512)
    assert lines.feed(b"9" * 300) == []
    assert lines.feed(b"9" * 300) == [TooLong(600)]
    assert lines.feed(b"9" * 1000) == []  # not kept in memory, not reported again
    assert lines.feed(b"123\r\n" + CARD.encode() + b"\n") == [CARD]


def test_a_line_of_exactly_the_limit_passes():
    lines = LineAssembler(max_length=512)
    assert lines.feed(b"7" * 512 + b"\n") == ["7" * 512]
    assert lines.feed(b"7" * 513 + b"\n") == [TooLong(513)]


def test_reset_forgets_a_half_line():
    lines = LineAssembler()
    lines.feed(b"12345")
    lines.reset()
    assert lines.feed(b"678\n") == ["678"]


# --- decoding frames ---------------------------------------------------------------------
def test_gray_array_honours_the_row_stride():
    rows = bytes(range(12))  # 3 rows of 4 bytes, 3 of them pixels
    assert gray_array(rows, 3, 3, 4).tolist() == [[0, 1, 2], [4, 5, 6], [8, 9, 10]]
    with pytest.raises(ValueError):
        gray_array(rows, 3, 4, 4)


def test_a_card_qr_decodes_to_its_payload():
    assert codes_in(qr_frame(PAYLOAD)) == [PAYLOAD]


def test_a_frame_without_codes_decodes_to_nothing():
    noise = np.random.default_rng(1).integers(0, 256, (240, 320), dtype=np.uint8)
    assert codes_in(noise) == []
    assert codes_in(np.full((240, 320), 255, dtype=np.uint8)) == []


def test_foreign_codes_are_seen_but_not_reported():
    frame = qr_frame("https://example.com/menu")
    assert decode_gray(frame) == ["https://example.com/menu"]
    assert codes_in(frame) == []


def test_our_codes_keeps_payload_shaped_forgeries_and_drops_duplicates():
    forged = PAYLOAD[:-1] + str((int(PAYLOAD[-1]) + 1) % 10)
    texts = ["hello", forged, CARD, CARD, COUPON, "12345"]
    assert our_codes(texts) == [forged, CARD, COUPON]


# --- RepeatFilter and FrameThrottle -------------------------------------------------------
def test_the_same_code_is_reported_once_within_the_window():
    repeats = RepeatFilter(window_s=2.0)
    assert repeats.accept(PAYLOAD, 10.0)
    assert not repeats.accept(PAYLOAD, 11.9)
    assert repeats.accept(CARD, 11.9)  # another code is not held back
    assert repeats.accept(PAYLOAD, 12.0)
    assert not repeats.accept(PAYLOAD, 13.0)


def test_the_throttle_admits_one_decode_at_a_time_at_most_n_a_second():
    throttle = FrameThrottle(max_per_second=8.0)
    assert throttle.admit(0.0)
    assert not throttle.admit(0.2)  # still decoding: the frame is dropped
    throttle.done()
    assert throttle.admit(0.2)
    throttle.done()
    assert not throttle.admit(0.3)  # 100 ms after the last start: too soon at 8 a second
    assert throttle.admit(0.325)
    throttle.done()
    admitted = 0
    for step in range(1, 301):  # 300 frames in 10 s (30 fps)
        if throttle.admit(1.0 + step / 30):
            admitted += 1
            throttle.done()
    assert admitted == 75  # every 4th frame: 133 ms apart, the first spacing >= 125 ms


def test_the_throttle_refuses_a_nonpositive_rate():
    with pytest.raises(ValueError):
        FrameThrottle(max_per_second=0)
