"""The counter's search box: classify_input decides between card, phone, coupon and name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from loyalty_desktop.ui.counter import CounterScreen

from .conftest import staff_id, type_text, wait_idle


@pytest.fixture
def counter(worker, qtbot):
    screen = CounterScreen(worker)
    qtbot.addWidget(screen)
    screen.show()
    screen.start({"staff_id": staff_id(worker.term, "cashier"), "name": "Ayşe", "role": "cashier"})
    wait_idle(qtbot, worker)
    yield screen
    screen.close()


def search(counter, qtbot, worker, text: str) -> None:
    counter.search.setFocus()
    type_text(counter.search, text)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    wait_idle(qtbot, worker)


def test_a_name_with_one_match_opens_the_member(counter, qtbot, worker):
    search(counter, qtbot, worker, "şule")
    assert counter.panel.name.text() == "Şule Öztürk"
    assert counter.search.text() == ""


def test_a_name_with_several_matches_lists_them_to_pick(counter, qtbot, worker):
    worker.term.enrol("Şule Kaya", phone="05339998877")
    search(counter, qtbot, worker, "ŞULE")
    matches = counter.search_box.matches
    assert matches.isVisible() and matches.count() == 2
    qtbot.mouseClick(matches.viewport(), Qt.MouseButton.LeftButton,
                     pos=matches.visualItemRect(matches.item(1)).center())
    wait_idle(qtbot, worker)
    assert counter.panel.name.text() == matches_name(worker, "Kaya") and not matches.isVisible()


def matches_name(worker, surname: str) -> str:
    return next(r["name"] for r in worker.term.search_members("şule") if surname in r["name"])


def test_card_number_with_spaces_and_phone_find_the_member(counter, qtbot, worker):
    card = worker.term.search_members("şule")[0]["card_number"]
    spaced = " ".join(card[i:i + 4] for i in range(0, 16, 4))
    assert counter.search_box.submit(spaced) == "card_number"
    wait_idle(qtbot, worker)
    assert counter.panel.name.text() == "Şule Öztürk"
    counter.reset()
    search(counter, qtbot, worker, "0532 123 45 67")
    assert counter.panel.name.text() == "Şule Öztürk"


def test_a_typed_coupon_code_needs_the_member_then_goes_to_the_basket(counter, qtbot, worker):
    term = worker.term
    member = term.member(term.search_members("şule")[0]["member_id"])
    code = member["coupons"][0]["code"]
    assert counter.search_box.submit(code) == "coupon_code"
    assert "Önce" in counter.error.text() and counter.coupon.text() == ""
    counter.show_member(member)
    counter.search_box.submit(f"{code[:4]} {code[4:8]} {code[8:]}")
    assert counter.coupon.text() == code


def test_an_unknown_name_says_so(counter, qtbot, worker):
    search(counter, qtbot, worker, "Zeynep Yok")
    assert counter.error.text() == "Üye bulunamadı."
