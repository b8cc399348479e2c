"""Turkish text: search folding, casing, phone numbers in E.164, receipt masking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.domain.errors import InvalidInput
from loyalty_desktop.domain.text import (
    fold,
    mask_card_number,
    mask_name,
    normalize_phone,
    turkish_lower,
    turkish_title,
    turkish_upper,
)


@pytest.mark.parametrize(
    "written",
    [
        "ÇİĞDEM IŞIK",
        "çiğdem ışık",
        "Çiğdem Işık",
        "cigdem isik",
        "  CIGDEM   ISIK ",
        "c\u0327ig\u0306dem is\u0327ik",
        "ÇİĞDEM\u00a0IŞIK",
        "Ç\u0130ĞDEM\tIŞIK\n",
    ],
)
def test_every_spelling_of_cigdem_isik_folds_alike(written):
    assert fold(written) == "cigdem isik"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("İSTANBUL", "istanbul"),
        ("istanbul", "istanbul"),
        ("Işık", "isik"),
        ("IŞIK", "isik"),
        ("ışık", "isik"),
        ("I\u0307STANBUL", "istanbul"),  # decomposed İ
        ("Âşık Veysel", "asik veysel"),
        ("kâğıt", "kagit"),
        ("Türkçe Öğün", "turkce ogun"),
        ("Ümit Şükrü", "umit sukru"),
        ("îman ûmran", "iman umran"),
        ("ＡＹŞＥ", "ayse"),  # full-width letters from an IME
        ("ﬁliz", "filiz"),  # a ligature
        ("Zoë Müller-Lüdenscheidt", "zoe muller-ludenscheidt"),
        ("Straße", "strasse"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_examples(written, key):
    assert fold(written) == key


def test_fold_drops_any_combining_mark_but_keeps_letters_it_cannot_fold():
    assert fold("e\u0301 a\u0308 n\u0303") == "e a n"
    assert fold("Ærø") == "ærø"


@settings(max_examples=400)
@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


TURKISH_ALPHABET = "abcçdefgğhıijklmnoöprsştuüvyzâîû ABCÇDEFGĞHIİJKLMNOÖPRSŞTUÜVYZÂÎÛ\u0307\u0327"


@settings(max_examples=400)
@given(st.text(alphabet=TURKISH_ALPHABET))
def test_fold_of_turkish_text_is_lower_ascii_with_single_spaces(text):
    key = fold(text)
    assert key.isascii()
    assert key == key.lower() == key.strip()
    assert "  " not in key


@given(st.text(alphabet=TURKISH_ALPHABET))
def test_fold_ignores_case_in_turkish(text):
    assert fold(turkish_upper(text)) == fold(text) == fold(turkish_lower(text))


def test_turkish_casing_pairs():
    assert turkish_lower("İSTANBUL IRMAK") == "istanbul ırmak"
    assert turkish_upper("istanbul ırmak") == "İSTANBUL IRMAK"
    assert turkish_lower("İ") == "i"  # not "i" + combining dot
    assert turkish_upper("çiğdem ışık") == "ÇİĞDEM IŞIK"


@pytest.mark.parametrize(
    ("written", "titled"),
    [
        ("ışık ırmak", "Işık Irmak"),
        ("ilkay irmak", "İlkay İrmak"),
        ("İSTANBUL", "İstanbul"),
        ("izmir'de buluşalım", "İzmir'de Buluşalım"),
        ("ayşe-nur yılmaz", "Ayşe-Nur Yılmaz"),
        ("ÇİĞDEM   IŞIK", "Çiğdem   Işık"),
        ("ali (veli)", "Ali (Veli)"),
        ("", ""),
    ],
)
def test_turkish_title(written, titled):
    assert turkish_title(written) == titled


@pytest.mark.parametrize(
    "written",
    [
        "0532 123 45 67",
        "532 123 4567",
        "+90 (532) 123-45-67",
        "905321234567",
        "05321234567",
        "+905321234567",
        "0090 532 123 45 67",
        " 0 (532) 123 45 67 ",
        "0532.123.45.67",
        "0532/123 45 67",
    ],
)
def test_turkish_phone_numbers_become_e164(written):
    assert normalize_phone(written) == "+905321234567"


def test_a_landline_with_area_code():
    assert normalize_phone("0212 555 12 34") == "+902125551234"
    assert normalize_phone("(0312) 444 55 66") == "+903124445566"


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+49 30 1234567", "+49301234567"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+12345678", "+12345678"),  # 8 digits: the shortest accepted
        ("+123456789012345", "+123456789012345"),  # 15 digits: the E.164 maximum
    ],
)
def test_other_countries_keep_their_code(written, e164):
    assert normalize_phone(written) == e164


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "12345",
        "0532 123 45 6",  # one digit short
        "0532 123 45 678",  # one digit too many
        "+90 532 123 45 6",
        "+90 532 123 45 678",
        "0132 123 45 67",  # Turkish numbers never start with 1
        "+1234567",  # 7 digits
        "+1234567890123456",  # 16 digits
        "+0 532 123 45 67",
        "0532 ABC 45 67",
        "0532-123-45-67 ext 2",
        "++905321234567",
        "0532 123 45 67 +",
        "٠٥٣٢١٢٣٤٥٦٧",  # Arabic-Indic digits are not accepted silently
    ],
)
def test_bad_phone_numbers_are_refused_with_a_hint(written):
    with pytest.raises(InvalidInput) as err:
        normalize_phone(written)
    assert err.value.code == "invalid_phone"
    assert "0532 123 45 67" in err.value.message


def test_normalize_phone_refuses_a_non_string():
    with pytest.raises(InvalidInput):
        normalize_phone(5321234567)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Çiğdem Işık", "Çiğdem I."),
        ("Ayşe Nur Yılmaz", "Ayşe Y."),
        ("  ali   ışık ", "ali I."),
        ("istanbul iskender", "istanbul İ."),
        ("Cher", "Cher"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name_for_receipts(name, masked):
    assert mask_name(name) == masked


def test_mask_card_number_shows_only_the_last_four_digits():
    assert mask_card_number("9790123456789012") == "•••• •••• •••• 9012"
    assert mask_card_number("9790 1234 5678 9012") == "•••• •••• •••• 9012"
    with pytest.raises(InvalidInput) as err:
        mask_card_number("12")
    assert err.value.code == "card_number_invalid"
