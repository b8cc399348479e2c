"""A realistic demo shop: Turkish names, a year of sales, refunds, coupons, club, feedback."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from .domain.clock import now_utc, zone
from .domain.errors import LoyaltyError

DEMO_SHOP = "Demo Kahve & Şarküteri"
DEMO_PINS = {"owner": "1234", "manager": "5678", "cashier": "1111"}

FIRST = ["Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Şule", "Gülşen", "Çiğdem",
         "Özlem", "İpek", "Ebru", "Büşra", "Nur", "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin",
         "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf", "Murat", "Ömer", "Emre", "Burak", "Çağlar",
         "Gökhan", "Uğur", "Barış", "Serkan", "Oğuz", "Tuğba", "Şeyma", "Ilgın", "Işıl", "Doğan"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
        "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
        "Şimşek", "Polat", "Öz", "Işık", "Güneş", "Erdoğan", "Aktaş", "Bulut", "Ünal", "Türk",
        "Çakır", "Sarı", "Güler", "Ateş", "Tekin", "Uçar", "Bozkurt", "Keskin", "Acar", "İnce"]


def _phone(rng: random.Random) -> str:
    return f"05{rng.choice('0345')}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"


def seed_demo(term: Any, members: int = 2000, months: int = 12, seed: int = 7,
              now: datetime | None = None) -> dict[str, Any]:
    """Create the demo shop (if empty) and fill it; all in one transaction, so it is all or nothing."""
    if members < 1 or months < 1:
        raise LoyaltyError("The demo needs at least one member and one month.", code="invalid_demo")
    rng = random.Random(seed)
    end = now or now_utc()
    start = end - timedelta(days=30 * months)
    if term.initialised and term.db.execute("SELECT COUNT(*) FROM members").fetchone()[0]:
        return {"created": False, "reason": "the shop already has members",
                "shop_name": term.meta("shop_name")}
    if not term.initialised:
        term.init_shop(DEMO_SHOP, "Oya Sahip", DEMO_PINS["owner"], at=start - timedelta(days=1))
    term.add_staff("Mehmet Müdür", "manager", DEMO_PINS["manager"], by_pin=DEMO_PINS["owner"])
    cashier = term.add_staff("Ayşe Kasiyer", "cashier", DEMO_PINS["cashier"],
                             by_pin=DEMO_PINS["owner"])
    tz = zone(term.timezone)
    stats = {"members": 0, "sales": 0, "refunds": 0, "coupons_used": 0, "feedback": 0,
             "club": 0}
    with term.transaction():
        ids = _enrol_all(term, rng, members, start, end, stats)
        plans = _plan_sales(rng, ids, start, end)
        last_seen: dict[str, dict] = {}  # the member as the previous sale left them
        for when, member_id, total in plans:
            _one_sale(term, rng, member_id, total, when.astimezone(tz), cashier, stats,
                      last_seen)
    return {"created": True, "shop_name": term.meta("shop_name"), **stats,
            "pins": DEMO_PINS, "data_dir": str(term.data_dir)}


def _enrol_all(term, rng, members, start, end, stats) -> list[tuple[str, datetime]]:
    ids = []
    span = (end - start).total_seconds()
    for i in range(members):
        when = start + timedelta(seconds=span * (i / members) * 0.9)
        birthday = date(rng.randint(1955, 2005), rng.randint(1, 12), rng.randint(1, 28))
        consents = [c for c in ("sms", "email") if rng.random() < 0.6]
        referrer = None
        if ids and rng.random() < 0.08:
            ref_id, _ = rng.choice(ids)
            referrer = term.member(ref_id, when)["card_number"]
        try:
            m = term.enrol(f"{rng.choice(FIRST)} {rng.choice(LAST)}", phone=_phone(rng),
                           email=f"uye{i}@example.com" if rng.random() < 0.5 else None,
                           birthday=birthday.isoformat(), referrer=referrer, consents=consents,
                           at=when)
        except LoyaltyError:
            continue  # a random phone may collide with the referrer's: skip that member
        ids.append((m["member_id"], when))
        stats["members"] += 1
        if rng.random() < 0.05:
            term.club_join(m["member_id"], at=when + timedelta(minutes=5))
            stats["club"] += 1
    return ids


def _plan_sales(rng, ids, start, end) -> list[tuple[datetime, str, int]]:
    plans = []
    for member_id, joined in ids:
        visits = min(int(rng.expovariate(1 / 7)) + 1, 60)
        basket = rng.choice([15000, 25000, 40000, 60000, 90000])
        for _ in range(visits):
            when = joined + timedelta(seconds=rng.uniform(600, (end - joined).total_seconds()))
            when = when.replace(hour=rng.randint(6, 17), minute=rng.randint(0, 59))
            if when >= end:
                continue
            total = max(500, int(rng.lognormvariate(0, 0.5) * basket) // 50 * 50)
            plans.append((when, member_id, total))
    plans.sort()
    return plans


def _one_sale(term, rng, member_id, total, when, cashier, stats, last_seen) -> None:
    # Choosing what to redeem only needs roughly current balances: reuse the previous sale's view.
    member = last_seen.get(member_id) or term.member(member_id, when)
    redeem = 0
    if member["points"] >= 100 and rng.random() < 0.25:
        redeem = min(member["points"], total // 10) // 50 * 50
    wallet = min(member["wallet_available"], total // 2) if rng.random() < 0.3 else 0
    coupon = None
    for c in member["coupons"]:
        if total - (total * 5 // 100) >= c["min_basket"] and rng.random() < 0.7:
            coupon = c["code"]
            break
    try:
        sale = term.sale(member_id, total, redeem_points=redeem if redeem >= 50 else 0,
                         wallet=max(wallet, 0), coupon=coupon, staff_id=cashier["staff_id"],
                         at=when)
    except LoyaltyError:  # the reused view was stale (coupon expired, points spent): plain sale
        coupon = None
        sale = term.sale(member_id, total, staff_id=cashier["staff_id"], at=when)
    stats["sales"] += 1
    last_seen[member_id] = sale["member"]
    stats["coupons_used"] += bool(coupon)
    if rng.random() < 0.15:
        nps = rng.choices(range(11), weights=[1, 1, 1, 1, 2, 2, 4, 8, 14, 18, 16])[0]
        term.feedback(sale["sale_id"], nps=nps, csat=min(5, max(1, round(nps / 2))),
                      at=when + timedelta(minutes=1))
        stats["feedback"] += 1
    if rng.random() < 0.015:
        amount = None if rng.random() < 0.5 else total // 2
        term.refund(sale["sale_id"], amount=amount, manager_pin=DEMO_PINS["manager"],
                    at=when + timedelta(hours=rng.randint(1, 72)))
        stats["refunds"] += 1
