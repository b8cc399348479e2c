"""10,000 mutated card payloads: every one is refused, none verifies.

Each mutator takes a genuine payload and returns a different string; the ones that keep
the shape valid (fields re-encoded with a correct check digit) reach the signature check,
so the test proves the signature, not only the shape, refuses them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from loyalty_desktop.domain.cards import (
    IssuerKey,
    encode_card_payload,
    luhn_check_digit,
    verify_card_payload,
)
from loyalty_desktop.domain.errors import InvalidInput

MUTATIONS = 10_000
CODES = {"payload_unreadable", "unknown_issuer", "payload_forged"}


def key_from_seed(key_id: int, seed: int) -> IssuerKey:
    """A deterministic issuer key."""
    private = bytes(random.Random(seed).randbytes(32))
    public = Ed25519PrivateKey.from_private_bytes(private).public_key()
    return IssuerKey(key_id, public.public_bytes(Encoding.Raw, PublicFormat.Raw), private)


KEY_7 = key_from_seed(7, 1)
KEY_8 = key_from_seed(8, 2)
IMPOSTOR_7 = key_from_seed(7, 3)  # another key that claims id 7
PUBLIC_KEYS = {7: KEY_7.public_bytes, 8: KEY_8.public_bytes}


def random_card(rng: random.Random) -> str:
    """A card number with a correct check digit."""
    body = "979" + "".join(rng.choice("0123456789") for _ in range(12))
    return body + luhn_check_digit(body)


def genuine_payloads(rng: random.Random, count: int = 40) -> list[str]:
    """Correctly signed payloads under both known keys."""
    return [
        encode_card_payload(random_card(rng), rng.randint(1, 999), rng.choice([KEY_7, KEY_8]))
        for _ in range(count)
    ]


def split(payload: str) -> tuple[int, str, int, int]:
    """(key id, card number, generation, signature value) of a payload."""
    return int(payload[1:3]), payload[3:19], int(payload[19:22]), int(payload[22:])


def join(key_id: int, card: str, generation: int, signature: int) -> str:
    """A payload from its fields (no signing)."""
    return f"1{key_id:02d}{card}{generation:03d}{signature:0155d}"


def sign(fields: str, key: IssuerKey, domain: bytes = b"LDCARD1:") -> int:
    """The signature value of `domain + fields` under `key`."""
    signature = Ed25519PrivateKey.from_private_bytes(key.private_bytes).sign(
        domain + fields.encode()
    )
    return int.from_bytes(signature, "big")


# --- mutators: (rng, genuine payload, all genuine payloads) -> a different string ------------


def flip_signature_bit(rng, p, _):
    key_id, card, generation, sig = split(p)
    return join(key_id, card, generation, sig ^ (1 << rng.randrange(512)))


def flip_field_bit(rng, p, _):
    key_id, card, generation, sig = split(p)
    field = rng.choice(["key_id", "card", "generation"])
    if field == "key_id":
        key_id ^= 1 << rng.randrange(7)
        key_id = key_id if key_id < 100 else key_id - 64
    elif field == "card":
        body = int(card[3:15]) ^ (1 << rng.randrange(39))
        body = body % 10**12
        card = card[:3] + f"{body:012d}"
        card += luhn_check_digit(card)
    else:
        generation = (generation ^ (1 << rng.randrange(10))) % 1000 or 1
    return join(key_id, card, generation, sig)


def flip_character_bit(rng, p, _):
    i = rng.randrange(len(p))
    return p[:i] + chr(ord(p[i]) ^ (1 << rng.randrange(7))) + p[i + 1 :]


def change_one_digit(rng, p, _):
    i = rng.randrange(len(p))
    return p[:i] + rng.choice([d for d in "0123456789" if d != p[i]]) + p[i + 1 :]


def swap_adjacent_digits(rng, p, _):
    i = rng.choice([i for i in range(len(p) - 1) if p[i] != p[i + 1]])
    return p[:i] + p[i + 1] + p[i] + p[i + 2 :]


def truncate(rng, p, _):
    cut = rng.randint(1, 176)
    return p[cut:] if rng.random() < 0.5 else p[:-cut]


def extend(rng, p, _):
    extra = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 8)))
    return extra + p if rng.random() < 0.5 else p + extra


def impostor_key_same_id(rng, p, _):
    _key_id, card, generation, _sig = split(p)
    fields = f"107{card}{generation:03d}"
    return join(7, card, generation, sign(fields, IMPOSTOR_7))


def other_generation_old_signature(rng, p, _):
    key_id, card, generation, sig = split(p)
    return join(key_id, card, rng.choice([g for g in range(1, 1000) if g != generation]), sig)


def other_card_old_signature(rng, p, _):
    key_id, _card, generation, sig = split(p)
    return join(key_id, random_card(rng), generation, sig)


def borrowed_signature(rng, p, genuine):
    other = rng.choice([g for g in genuine if g[:22] != p[:22]])
    return p[:22] + other[22:]


def other_key_id_same_signature(rng, p, _):
    key_id, card, generation, sig = split(p)
    return join(8 if key_id == 7 else 7, card, generation, sig)


def signed_without_domain(rng, p, _):
    key_id, card, generation, _sig = split(p)
    key = KEY_7 if key_id == 7 else KEY_8
    domain = rng.choice([b"", b"LDCARD2:", b"LDCOUPON1:", b"LDCARD1"])
    return join(key_id, card, generation, sign(p[:22], key, domain))


def random_digits(rng, p, _):
    return "".join(rng.choice("0123456789") for _ in range(177))


def random_well_formed(rng, p, _):
    key_id = rng.choice([7, 8, rng.randrange(100)])
    return join(key_id, random_card(rng), rng.randint(1, 999), rng.getrandbits(512))


MUTATORS: list[Callable] = [
    flip_signature_bit,
    flip_field_bit,
    flip_character_bit,
    change_one_digit,
    swap_adjacent_digits,
    truncate,
    extend,
    impostor_key_same_id,
    other_generation_old_signature,
    other_card_old_signature,
    borrowed_signature,
    other_key_id_same_signature,
    signed_without_domain,
    random_digits,
    random_well_formed,
]
# Mutators whose result keeps a valid shape and a known key: only the signature can refuse it.
SIGNATURE_ONLY = {
    "flip_signature_bit",
    "impostor_key_same_id",
    "other_generation_old_signature",
    "other_card_old_signature",
    "borrowed_signature",
    "other_key_id_same_signature",
    "signed_without_domain",
}


def test_genuine_payloads_verify():
    for payload in genuine_payloads(random.Random(1)):
        assert verify_card_payload(payload, PUBLIC_KEYS).card_number == payload[3:19]


def test_ten_thousand_mutated_payloads_are_all_refused():
    rng = random.Random(20261123)
    genuine = genuine_payloads(rng)
    genuine_set = set(genuine)
    refused: Counter[tuple[str, str]] = Counter()
    for n in range(MUTATIONS):
        mutator = MUTATORS[n % len(MUTATORS)]
        original = rng.choice(genuine)
        mutated = mutator(rng, original, genuine)
        while mutated in genuine_set:  # a mutation that happened to change nothing
            mutated = mutator(rng, original, genuine)
        with pytest.raises(InvalidInput) as err:
            verify_card_payload(mutated, PUBLIC_KEYS)
        assert err.value.code in CODES, (mutator.__name__, mutated)
        if mutator.__name__ in SIGNATURE_ONLY:
            assert err.value.code == "payload_forged", (mutator.__name__, mutated)
        refused[mutator.__name__, err.value.code] += 1
    assert sum(refused.values()) == MUTATIONS
    assert {name for name, _ in refused} == {m.__name__ for m in MUTATORS}
    by_code: Counter[str] = Counter()
    for (_, code), count in refused.items():
        by_code[code] += count
    assert by_code["payload_forged"] >= MUTATIONS * len(SIGNATURE_ONLY) // len(MUTATORS)
    assert by_code["payload_unreadable"] > 0 and by_code["unknown_issuer"] > 0
