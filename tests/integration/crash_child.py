"""A child process that records sales until killed; prints each committed sale id (flushed)."""

import sys

from loyalty_desktop.services import open_terminal


def main(data_dir: str, card: str) -> None:
    term = open_terminal(data_dir)
    member = term.find_member(card)["member_id"]
    n = 0
    while True:
        n += 1
        sale = term.sale(member, 1000 + n, idempotency_key=f"crash-{n}-{sys.argv[3]}")
        print(sale["sale_id"], flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
