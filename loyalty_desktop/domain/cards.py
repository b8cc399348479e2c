"""Card numbers and coupon codes with Luhn check digits, and the signed digits-only QR payload.

Card number: 16 digits = issuer prefix (3) + 12 random digits + Luhn check digit.
Coupon code: 12 digits = "2" + 10 digits + Luhn check digit (never confused with a card,
a phone or a payload).
QR payload (177 digits, so a USB scanner types it identically under US, Turkish-Q and
Turkish-F layouts): "1" (format) + key id (2) + card number (16) + generation (3, 1-999)
+ the 64-byte Ed25519 signature as a zero-padded 155-digit big-endian decimal number.
The signature covers b"LDCARD1:" + the first 22 digits, so no other signed thing of ours
can be replayed as a card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import InvalidInput, Refused

if TYPE_CHECKING:  # `cryptography` (a 13 MB native library) loads on first use: see ed25519()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

DEFAULT_ISSUER_PREFIX = "979"
CARD_NUMBER_LENGTH = 16
COUPON_CODE_LENGTH = 12
PAYLOAD_VERSION = "1"
PAYLOAD_LENGTH = 177
SIGNATURE_DIGITS = 155
SIGNED_DIGITS = 22  # version + key id + card number + generation
SIGNATURE_DOMAIN = b"LDCARD1:"
MAX_GENERATION = 999

_DIGITS = re.compile(r"^[0-9]+$")
_SEPARATORS = re.compile(r"[\s\-]")
_CARD_HOW = "A card number has 16 digits, like 9790 1234 5678 9010."
_COUPON_HOW = "A coupon code has 12 digits and starts with 2, like 2123 4567 8909."


def ed25519():
    """The Ed25519 module of `cryptography`, imported on first use rather than with this module:
    loading its native library is most of the counter's start-up on a cold disk, and the window
    only needs it for the first scan (the counter loads it on its worker while idle,
    `load_verifier`)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519 as module

    return module


def load_verifier() -> None:
    """Import the signature library now (the counter calls it once it is on screen)."""
    ed25519()
    from cryptography.exceptions import InvalidSignature  # noqa: F401 (loaded for the scan)


def _public_bytes(private: Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of a private key's public half."""
    return private.public_key().public_bytes_raw()


def _digits_only(text: object) -> str | None:
    """The text without spaces and dashes if what remains is ASCII digits, else None."""
    if not isinstance(text, str):
        return None
    s = _SEPARATORS.sub("", text)
    return s if _DIGITS.fullmatch(s) else None


def _luhn_sum(digits: str) -> int:
    """Luhn sum of a full number (check digit last), modulo 10."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10


def luhn_check_digit(digits: str) -> str:
    """The Luhn check digit to append to `digits`."""
    if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
        raise InvalidInput(f"{digits!r} is not a string of digits.", code="invalid_digits")
    return str((10 - _luhn_sum(digits + "0")) % 10)


def _luhn_ok(number: str) -> bool:
    """True when the last digit of `number` is its Luhn check digit."""
    return _luhn_sum(number) == 0


def _random_digits(count: int, randbits: Callable[[int], int]) -> str:
    """`count` random decimal digits (64 random bits per 12 digits: bias below 1e-7)."""
    out = ""
    while len(out) < count:
        out += f"{randbits(64) % 10**12:012d}"
    return out[-count:]


def new_card_number(
    prefix: str = DEFAULT_ISSUER_PREFIX, randbits: Callable[[int], int] | None = None
) -> str:
    """A fresh random card number under an issuer prefix (uniqueness is the store's job;
    `randbits` defaults to `secrets.randbits`)."""
    if not isinstance(prefix, str) or not re.fullmatch(r"[0-9]{3}", prefix):
        raise InvalidInput(f"Issuer prefix {prefix!r} must be 3 digits.", code="invalid_prefix")
    body = prefix + _random_digits(12, randbits or _secure_bits())
    return body + luhn_check_digit(body)


def parse_card_number(text: str) -> str:
    """The 16 digits of a typed card number (spaces and dashes allowed), check digit verified."""
    digits = _digits_only(text)
    if digits is None or len(digits) != CARD_NUMBER_LENGTH:
        got = "" if digits is None else f" (this has {len(digits)})"
        raise InvalidInput(
            f"{text!r} is not a card number{got}. {_CARD_HOW}", code="card_number_invalid"
        )
    if not _luhn_ok(digits):
        raise InvalidInput(
            f"Card number {format_digits(digits)} has a typing mistake: its last digit does "
            "not match the others. Check each digit against the card.",
            code="card_number_check_digit",
        )
    return digits


def is_valid_card_number(s: str) -> bool:
    """True when `s` parses as a card number (16 digits, correct check digit)."""
    try:
        parse_card_number(s)
    except InvalidInput:
        return False
    return True


def format_digits(digits: str) -> str:
    """Digits in groups of four for people to read: "9790 1234 5678 9012"."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def format_card_number(n: str) -> str:
    """A card number as printed: "9790 1234 5678 9012"."""
    return format_digits(parse_card_number(n))


def _coupon_from_body(body10: str) -> str:
    """The full coupon code for 10 body digits."""
    code = "2" + body10
    return code + luhn_check_digit(code)


def new_coupon_code(randbits: Callable[[int], int] | None = None) -> str:
    """A fresh random coupon code (uniqueness is the store's job; `randbits` defaults to
    `secrets.randbits`)."""
    return _coupon_from_body(_random_digits(10, randbits or _secure_bits()))


def _secure_bits() -> Callable[[int], int]:
    """`secrets.randbits`, imported when first needed (with hashlib it loads libcrypto, a
    cost the counter's start need not pay)."""
    import secrets

    return secrets.randbits


def derived_coupon_code(seed: str, secret: bytes = b"") -> str:
    """A coupon code every terminal derives alike from `seed` (e.g. member id + year).

    With a shop `secret` the code cannot be guessed by someone who knows only the seed.
    """
    import hashlib
    import hmac

    mac = hmac.new(secret, b"LDCOUPON1:" + seed.encode("utf-8"), hashlib.sha256).digest()
    return _coupon_from_body(f"{int.from_bytes(mac[:8], 'big') % 10**10:010d}")


def parse_coupon_code(text: str) -> str:
    """The 12 digits of a typed or scanned coupon code, check digit verified."""
    digits = _digits_only(text)
    if (
        digits is None
        or len(digits) != COUPON_CODE_LENGTH
        or not digits.startswith("2")
        or not _luhn_ok(digits)
    ):
        raise InvalidInput(
            f"{text!r} is not a valid coupon code. {_COUPON_HOW}", code="coupon_code_invalid"
        )
    return digits


def format_coupon_code(code: str) -> str:
    """A coupon code as printed: "2123 4567 8909"."""
    return format_digits(parse_coupon_code(code))


@lru_cache(maxsize=16)
def _private_key(private_bytes: bytes) -> Ed25519PrivateKey:
    """A loaded private key, cached for batch card printing."""
    return ed25519().Ed25519PrivateKey.from_private_bytes(private_bytes)


@dataclass(frozen=True)
class IssuerKey:
    """An Ed25519 card-signing key; terminals that only verify hold it without private bytes."""

    key_id: int
    public_bytes: bytes
    private_bytes: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """Refuse impossible keys: a key id outside 0-99, wrong lengths, mismatched halves."""
        if isinstance(self.key_id, bool) or not isinstance(self.key_id, int):
            raise ValueError("key_id must be an int")
        if not 0 <= self.key_id <= 99:
            raise ValueError(f"key_id {self.key_id} is outside 0-99")
        if len(self.public_bytes) != 32:
            raise ValueError("an Ed25519 public key has 32 bytes")
        if self.private_bytes is not None and self.public_bytes != _public_bytes(
            _private_key(bytes(self.private_bytes))
        ):
            raise ValueError("the private key does not match the public key")

    def public_only(self) -> IssuerKey:
        """The same key without its private half (what verifying terminals keep)."""
        return replace(self, private_bytes=None)


def new_issuer_key(key_id: int) -> IssuerKey:
    """A fresh Ed25519 issuer key with the given id (0-99)."""
    private = ed25519().Ed25519PrivateKey.generate()
    raw = private.private_bytes_raw()
    return IssuerKey(key_id=key_id, public_bytes=_public_bytes(private), private_bytes=raw)


@dataclass(frozen=True)
class CardPayload:
    """What a verified QR payload says: which card, which generation, signed by which key."""

    card_number: str
    generation: int
    key_id: int


@lru_cache(maxsize=256)
def _public_key(public_bytes: bytes) -> Ed25519PublicKey:
    """A loaded public key, cached so a scan costs one Ed25519 verify."""
    return ed25519().Ed25519PublicKey.from_public_bytes(public_bytes)


def encode_card_payload(card_number: str, generation: int, key: IssuerKey) -> str:
    """The 177-digit signed payload for a card's QR code."""
    number = parse_card_number(card_number)
    if isinstance(generation, bool) or not isinstance(generation, int):
        raise InvalidInput("The card generation must be a whole number.", code="invalid_generation")
    if not 1 <= generation <= MAX_GENERATION:
        raise InvalidInput(
            f"Card generation {generation} is outside 1-{MAX_GENERATION}.",
            code="invalid_generation",
        )
    if key.private_bytes is None:
        raise Refused(
            "This terminal holds only the public issuer key and cannot sign cards.",
            code="no_issuer_key",
        )
    signed = f"{PAYLOAD_VERSION}{key.key_id:02d}{number}{generation:03d}"
    private = _private_key(bytes(key.private_bytes))
    signature = private.sign(SIGNATURE_DOMAIN + signed.encode("ascii"))
    return f"{signed}{int.from_bytes(signature, 'big'):0{SIGNATURE_DIGITS}d}"


def looks_like_payload(text: str) -> bool:
    """Cheap shape test: 177 ASCII digits starting with the format version."""
    if not isinstance(text, str):
        return False
    s = text.strip()
    return len(s) == PAYLOAD_LENGTH and s[0] == PAYLOAD_VERSION and s.isascii() and s.isdigit()


def _unreadable(why: str) -> InvalidInput:
    """The error for a payload that is not one of our card codes."""
    return InvalidInput(
        f"This code is not a readable membership card ({why}). Scan it again or type the "
        "card number.",
        code="payload_unreadable",
    )


def verify_card_payload(text: str,
                        public_keys: Mapping[int, bytes | Sequence[bytes]]) -> CardPayload:
    """Check a scanned payload's shape and Ed25519 signature; return what it says.

    `public_keys` maps a key id to its public key, or to every public key with that id (the
    terminals of a chain draw their ids at random; the signature is valid if one key checks
    it). Whether `generation` is the card's current one is the store's job.
    """
    s = text.strip() if isinstance(text, str) else ""
    if len(s) != PAYLOAD_LENGTH or not s.isascii() or not s.isdigit():
        raise _unreadable(f"expected {PAYLOAD_LENGTH} digits")
    if s[0] != PAYLOAD_VERSION:
        raise _unreadable("unknown format version")
    key_id, number, generation = int(s[1:3]), s[3:19], int(s[19:22])
    if not _luhn_ok(number):
        raise _unreadable("card number check digit")
    if generation == 0:
        raise _unreadable("generation 0")
    signature_value = int(s[SIGNED_DIGITS:])
    if signature_value >= 1 << 512:
        raise _unreadable("signature out of range")
    public = public_keys.get(key_id)
    if public is None:
        raise InvalidInput(
            f"This card was signed by issuer key {key_id:02d}, which this terminal does not "
            "know. Sync with the server, or issue the member a new card.",
            code="unknown_issuer",
        )
    from cryptography.exceptions import InvalidSignature

    candidates = [public] if isinstance(public, (bytes, bytearray, memoryview)) else list(public)
    for candidate in candidates:
        try:
            _public_key(bytes(candidate)).verify(
                signature_value.to_bytes(64, "big"), SIGNATURE_DOMAIN + s[:SIGNED_DIGITS].encode()
            )
        except InvalidSignature:
            continue
        return CardPayload(card_number=number, generation=generation, key_id=key_id)
    raise InvalidInput(
        "This card's signature is not valid: the code was altered or forged. "
        "Do not accept it; ask for ID and look the member up by phone.",
        code="payload_forged",
    )
