"""Card numbers, coupon codes, issuer keys and the signed digits-only QR payload."""

from __future__ import annotations

import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain import cards
from loyalty_desktop.domain.cards import (
    CardPayload,
    IssuerKey,
    derived_coupon_code,
    encode_card_payload,
    format_card_number,
    format_coupon_code,
    is_valid_card_number,
    looks_like_payload,
    luhn_check_digit,
    new_card_number,
    new_coupon_code,
    new_issuer_key,
    parse_card_number,
    parse_coupon_code,
    verify_card_payload,
)
from loyalty_desktop.domain.errors import InvalidInput, Refused

CARD = "9790123456789010"  # a valid card number: its Luhn check digit is 0


def key_from_seed(key_id: int, seed: bytes) -> IssuerKey:
    """An issuer key built from 32 seed bytes (for deterministic property tests)."""
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return IssuerKey(key_id, public.public_bytes(Encoding.Raw, PublicFormat.Raw), seed)


KEY = key_from_seed(7, bytes(range(32)))
KEYS = {7: KEY.public_bytes}


def with_check_digit(body: str) -> str:
    """`body` followed by its Luhn check digit."""
    return body + luhn_check_digit(body)


# --- Luhn -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("7992739871", "3"),
        ("411111111111111", "1"),
        ("0", "0"),
        ("979012345678901", "0"),
        ("21234567890", "9"),
    ],
)
def test_luhn_check_digit_known_values(body, check):
    assert luhn_check_digit(body) == check


def test_luhn_check_digit_refuses_non_digits():
    for bad in ("", "12a4", "12 34", "١٢٣", None):
        with pytest.raises(InvalidInput):
            luhn_check_digit(bad)  # type: ignore[arg-type]


bodies = st.text(alphabet="0123456789", min_size=11, max_size=20)


@given(bodies, st.data())
def test_luhn_detects_every_single_digit_error(body, data):
    number = with_check_digit(body)
    position = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    typo = number[:position] + wrong + number[position + 1 :]
    assert cards._luhn_ok(number)
    assert not cards._luhn_ok(typo)


def test_luhn_detects_every_single_digit_error_exhaustively_on_one_card():
    for position, wrong in itertools.product(range(16), "0123456789"):
        if CARD[position] != wrong:
            assert not is_valid_card_number(CARD[:position] + wrong + CARD[position + 1 :])


@given(bodies, st.data())
def test_luhn_detects_adjacent_transpositions_except_09_and_90(body, data):
    number = with_check_digit(body)
    i = data.draw(st.integers(0, len(number) - 2))
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    pair = number[i : i + 2]
    if pair[0] == pair[1]:
        assert swapped == number
    elif pair in ("09", "90"):
        assert cards._luhn_ok(swapped)  # the one blind spot of Luhn
    else:
        assert not cards._luhn_ok(swapped)


# --- card numbers -----------------------------------------------------------------------


def test_new_card_number_is_prefix_twelve_digits_and_check_digit():
    number = new_card_number(randbits=lambda bits: 123456789012)
    assert number == "979123456789012" + luhn_check_digit("979123456789012")
    assert is_valid_card_number(number)
    assert new_card_number("123", randbits=lambda bits: 5).startswith("123000000000005")


def test_new_card_numbers_are_random_and_valid():
    numbers = {new_card_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(len(n) == 16 and n.startswith("979") and is_valid_card_number(n) for n in numbers)


@pytest.mark.parametrize("prefix", ["97", "9790", "abc", "", 979])
def test_new_card_number_refuses_a_bad_prefix(prefix):
    with pytest.raises(InvalidInput) as err:
        new_card_number(prefix)
    assert err.value.code == "invalid_prefix"


@pytest.mark.parametrize(
    "typed", [CARD, "9790 1234 5678 9010", "9790-1234-5678-9010", " 9790 1234 5678 9010\r\n"]
)
def test_parse_card_number_accepts_spaces_and_dashes(typed):
    assert parse_card_number(typed) == CARD
    assert is_valid_card_number(typed)


@pytest.mark.parametrize(
    "typed",
    ["", "979012345678901", "97901234567890123", "9790 1234 5678 901X", "٩٧٩٠١٢٣٤٥٦٧٨٩٠١٢", None],
)
def test_parse_card_number_refuses_wrong_length_or_characters(typed):
    with pytest.raises(InvalidInput) as err:
        parse_card_number(typed)
    assert err.value.code == "card_number_invalid"
    assert "16 digits" in err.value.message
    assert not is_valid_card_number(typed)


def test_parse_card_number_explains_a_wrong_check_digit():
    with pytest.raises(InvalidInput) as err:
        parse_card_number("9790 1234 5678 9013")
    assert err.value.code == "card_number_check_digit"
    assert "9790 1234 5678 9013" in err.value.message
    assert "last digit" in err.value.message


def test_format_card_number_groups_by_four():
    assert format_card_number(CARD) == "9790 1234 5678 9010"
    assert format_card_number("9790-1234-5678-9010") == "9790 1234 5678 9010"
    with pytest.raises(InvalidInput):
        format_card_number("9790123456789013")


# --- coupon codes -----------------------------------------------------------------------


def test_new_coupon_code_shape():
    code = new_coupon_code(randbits=lambda bits: 1234567890)
    assert code == with_check_digit("21234567890")
    codes = {new_coupon_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12 and code[0] == "2" and parse_coupon_code(code) == code


def test_derived_coupon_code_is_deterministic_per_seed_and_secret():
    seed = "0194f1c2-0000-7000-8000-000000000001:birthday:2026"
    code = derived_coupon_code(seed)
    assert code == derived_coupon_code(seed)
    assert parse_coupon_code(code) == code
    assert derived_coupon_code(seed.replace("2026", "2027")) != code
    assert derived_coupon_code(seed, secret=b"shop secret") != code
    assert len({derived_coupon_code(f"m{i}:birthday:2026") for i in range(1000)}) == 1000


@pytest.mark.parametrize("typed", ["2123 4567 8909", "2123-4567-8909", " 212345678909 "])
def test_parse_coupon_code_accepts_spaces_and_dashes(typed):
    assert parse_coupon_code(typed) == "212345678909"
    assert format_coupon_code(typed) == "2123 4567 8909"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "212345678905",
        "112345678903",
        "21234567890",
        "2123456789091",
        "2123 4567 89O9",
        CARD,
        None,
    ],
)
def test_parse_coupon_code_refuses_anything_else(typed):
    with pytest.raises(InvalidInput) as err:
        parse_coupon_code(typed)
    assert err.value.code == "coupon_code_invalid"


# --- issuer keys ------------------------------------------------------------------------


def test_new_issuer_key_and_its_public_half():
    key = new_issuer_key(42)
    assert key.key_id == 42 and len(key.public_bytes) == 32 and len(key.private_bytes) == 32
    public = key.public_only()
    assert public.private_bytes is None and public.public_bytes == key.public_bytes
    assert key.private_bytes.hex() not in repr(key)


@pytest.mark.parametrize("key_id", [-1, 100, True, "7"])
def test_issuer_key_id_must_be_0_to_99(key_id):
    with pytest.raises(ValueError):
        IssuerKey(key_id, KEY.public_bytes)


def test_issuer_key_refuses_mismatched_halves():
    with pytest.raises(ValueError):
        IssuerKey(7, new_issuer_key(7).public_bytes, KEY.private_bytes)
    with pytest.raises(ValueError):
        IssuerKey(7, b"short")


# --- payloads ---------------------------------------------------------------------------


def test_payload_layout():
    payload = encode_card_payload("9790 1234 5678 9010", 3, KEY)
    assert len(payload) == 177 and payload.isdigit() and payload.isascii()
    assert payload[:22] == "1" + "07" + CARD + "003"
    assert int(payload[22:]) < 2**512
    assert looks_like_payload(payload)
    assert encode_card_payload(CARD, 3, KEY) == payload  # Ed25519 is deterministic


def test_verify_returns_what_the_payload_says():
    payload = encode_card_payload(CARD, 12, KEY)
    assert verify_card_payload(payload, KEYS) == CardPayload(CARD, 12, 7)
    assert verify_card_payload(f"  {payload}\r\n", KEYS) == CardPayload(CARD, 12, 7)


@settings(max_examples=60, deadline=None)
@given(
    body=st.text(alphabet="0123456789", min_size=15, max_size=15),
    generation=st.integers(1, 999),
    key_id=st.integers(0, 99),
    seed=st.binary(min_size=32, max_size=32),
)
def test_encode_verify_round_trip(body, generation, key_id, seed):
    key = key_from_seed(key_id, seed)
    number = with_check_digit(body)
    payload = encode_card_payload(number, generation, key)
    assert looks_like_payload(payload)
    verified = verify_card_payload(payload, {key_id: key.public_only().public_bytes})
    assert verified == CardPayload(number, generation, key_id)


@pytest.mark.parametrize("generation", [0, 1000, -1, True, 1.0])
def test_encode_refuses_a_bad_generation(generation):
    with pytest.raises(InvalidInput) as err:
        encode_card_payload(CARD, generation, KEY)
    assert err.value.code == "invalid_generation"


def test_encode_refuses_a_bad_card_number_and_a_public_only_key():
    with pytest.raises(InvalidInput):
        encode_card_payload("9790123456789013", 1, KEY)
    with pytest.raises(Refused) as err:
        encode_card_payload(CARD, 1, KEY.public_only())
    assert err.value.code == "no_issuer_key"


def resigned(fields: str, key: IssuerKey = KEY) -> str:
    """A payload for arbitrary 22 leading digits, validly signed (to test the field checks)."""
    signature = Ed25519PrivateKey.from_private_bytes(key.private_bytes).sign(
        b"LDCARD1:" + fields.encode()
    )
    return fields + f"{int.from_bytes(signature, 'big'):0155d}"


def test_verify_accepts_a_correctly_signed_field_set():
    assert verify_card_payload(resigned("107" + CARD + "999"), KEYS).generation == 999


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "1" * 176,
        "1" * 178,
        "1" * 176 + "x",
        "1" + "０" * 176,  # full-width digits are not our payload
        resigned("207" + CARD + "001"),  # format version 2 does not exist
        resigned("107" + CARD[:-1] + "3" + "001"),  # card number check digit
        resigned("107" + CARD + "000"),  # generation 0
        "107" + CARD + "001" + str(2**512).zfill(155),  # signature out of range
        "107" + CARD + "001" + "9" * 155,
    ],
)
def test_verify_refuses_unreadable_payloads(payload):
    with pytest.raises(InvalidInput) as err:
        verify_card_payload(payload, KEYS)
    assert err.value.code == "payload_unreadable"


def test_verify_refuses_a_key_it_does_not_know():
    other = new_issuer_key(8)
    payload = encode_card_payload(CARD, 1, other)
    with pytest.raises(InvalidInput) as err:
        verify_card_payload(payload, KEYS)
    assert err.value.code == "unknown_issuer"
    assert "08" in err.value.message
    assert verify_card_payload(payload, {**KEYS, 8: other.public_bytes}).key_id == 8


def test_verify_refuses_a_forged_signature():
    payload = encode_card_payload(CARD, 1, KEY)
    forged = payload[:-1] + str((int(payload[-1]) + 1) % 10)
    with pytest.raises(InvalidInput) as err:
        verify_card_payload(forged, KEYS)
    assert err.value.code == "payload_forged"


def test_verify_loads_each_public_key_once():
    payload = encode_card_payload(CARD, 1, KEY)
    verify_card_payload(payload, KEYS)
    before = cards._public_key.cache_info()
    for _ in range(5):
        verify_card_payload(payload, KEYS)
    after = cards._public_key.cache_info()
    assert after.hits - before.hits == 5 and after.misses == before.misses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1" * 177, True),
        (" " + "1" * 177 + "\n", True),
        ("2" * 177, False),
        ("1" * 176, False),
        ("1" * 176 + "a", False),
        (None, False),
        (CARD, False),
    ],
)
def test_looks_like_payload(text, expected):
    assert looks_like_payload(text) is expected


def test_a_key_id_shared_by_two_keys_checks_against_each():
    """Terminals of a chain draw their key ids at random: two may share one. A card is valid
    if any key with its id checks the signature, and forged if none does."""
    other = key_from_seed(7, b"\x05" * 32)  # the same id, another terminal's key
    payload = encode_card_payload(CARD, 4, KEY)
    public = KEY.public_only().public_bytes
    assert verify_card_payload(payload, {7: [other.public_bytes, public]}).card_number == CARD
    assert verify_card_payload(encode_card_payload(CARD, 4, other),
                               {7: [other.public_bytes, public]}).generation == 4
    with pytest.raises(InvalidInput) as refused:
        verify_card_payload(payload, {7: [other.public_bytes]})
    assert refused.value.code == "payload_forged"
