"""Member actions on the members screen: each one real service call, dialogs answered by the test."""

from __future__ import annotations

import pytest

from loyalty_desktop.ui.members import MembersScreen

from .conftest import MANAGER_PIN, staff_id, wait_idle


@pytest.fixture
def screen(worker, qtbot):
    members = MembersScreen(worker)
    qtbot.addWidget(members)
    members.show()
    members.staff = {"staff_id": staff_id(worker.term, "cashier"), "name": "Ayşe",
                     "role": "cashier"}
    term = worker.term
    members.show_detail(term.member(term.search_members("Şule")[0]["member_id"]))
    wait_idle(qtbot, worker)
    yield members
    members.close()


def answers(screen, **replies) -> None:
    """Answer the screen's dialogs with fixed replies."""
    for name, value in replies.items():
        setattr(screen, name, lambda *_a, v=value, **_k: v)


def test_adjust_points_needs_a_reason_and_a_manager_pin(screen, qtbot, worker):
    answers(screen, ask_points=-50, ask_text="kırık kupa", ask_pin="1111")
    screen.adjust_points()
    wait_idle(qtbot, worker)
    assert screen.message.text() == "PIN yanlış." and screen.member["points"] == 150
    answers(screen, ask_pin=MANAGER_PIN)
    screen.adjust_points()
    wait_idle(qtbot, worker)
    assert screen.member["points"] == 100
    assert "100 puan" in screen.panel.points.text()
    asked = []
    answers(screen, ask_text=None)
    screen.ask_pin = lambda *a: asked.append(a) or MANAGER_PIN
    screen.adjust_points()  # no reason: nothing asked, nothing written
    assert asked == [] and worker.term.member(screen.member["member_id"])["points"] == 100


def test_join_the_club(screen, qtbot, worker):
    answers(screen, ask_yes=True)
    screen.join_club()
    wait_idle(qtbot, worker)
    assert screen.member["club_until"] is not None
    assert "Kulüp üyesi:" in screen.panel.club.text()


def test_complaint_is_logged(screen, qtbot, worker):
    answers(screen, ask_text="Kahve soğuktu")
    screen.add_complaint()
    wait_idle(qtbot, worker)
    assert screen.message.text() == "Şikâyet kaydedildi."
    row = worker.term.db.execute("SELECT text FROM complaints").fetchone()
    assert row[0] == "Kahve soğuktu"


def test_edit_member_and_consents(screen, qtbot, worker):
    answers(screen, ask_fields={"name": "Şule Öztürk Kaya", "phone": "0532 123 45 67",
                                "email": "sule@example.com", "birthday": ""})
    screen.edit_member()
    wait_idle(qtbot, worker)
    assert screen.member["name"] == "Şule Öztürk Kaya"
    assert screen.member["email"] == "sule@example.com"
    answers(screen, ask_fields={"sms": False, "email": True})
    screen.change_consents()
    wait_idle(qtbot, worker)
    assert screen.member["consents"] == {"sms": False, "email": True}


def test_merge_a_duplicate_by_phone(screen, qtbot, worker):
    term = worker.term
    dup = term.enrol("Şule Ozturk", phone="05337776655")
    term.sale(dup["member_id"], 50000)  # 50 points + 50 welcome
    answers(screen, ask_text="0533 777 66 55", ask_pin=MANAGER_PIN)
    screen.merge_duplicate()
    wait_idle(qtbot, worker)
    assert screen.member["points"] == 250
    assert term.find_member_any(dup["card_number"])["member_id"] == screen.member["member_id"]


def test_print_card_to_pdf_and_png(screen, qtbot, worker, tmp_path):
    for name, magic in (("kart.pdf", b"%PDF-"), ("kart.png", b"\x89PNG")):
        answers(screen, ask_save_path=str(tmp_path / name))
        screen.print_card()
        wait_idle(qtbot, worker, timeout=15000)
        assert (tmp_path / name).read_bytes().startswith(magic)
        assert screen.message.text().startswith("Kart kaydedildi:")
