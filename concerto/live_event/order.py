"""The candidates' reply order per action: a seeded, balanced Latin square (no database).

Anyone can recompute the published order from the seed and the list of candidates in their panel
order (docs/live-event.md says how)::

    python -m concerto.live_event.order <seed> <number of actions> <candidate 1> <candidate 2> …

The rows come from a Williams design: over each block of k rows every candidate replies once in each
place (first, second, … last) and follows every other candidate equally often, so nobody always
speaks first, last, or right after the same rival. The seed shuffles the candidates and the order of
the rows within each block. ``random.Random`` with a string seed is stable across Python versions
(seeding by SHA-512 of the string), which the published order relies on.
"""

import random
import secrets
import sys


def new_seed() -> str:
    return secrets.token_hex(8)


def williams_rows(k: int) -> list[list[int]]:
    """A Williams design on 0..k-1: k rows when k is even, 2k when k is odd."""
    if k <= 0:
        return []
    if k == 1:
        return [[0]]
    first = [0]
    lo, hi = 1, k - 1
    take_lo = True
    while len(first) < k:
        first.append(lo if take_lo else hi)
        if take_lo:
            lo += 1
        else:
            hi -= 1
        take_lo = not take_lo
    rows = [[(x + r) % k for x in first] for r in range(k)]
    if k % 2:
        rows += [list(reversed(row)) for row in rows]
    return rows


def reply_orders(seed: str, candidates: list, n_items: int) -> list[list]:
    """One reply order (a permutation of ``candidates``) per action, for ``n_items`` actions."""
    rng = random.Random(f"concerto-reply-order:{seed}")
    people = list(candidates)
    rng.shuffle(people)
    k = len(people)
    rows = williams_rows(k)
    # Blocks of k rows, each a Latin square (an odd k's design alternates its two halves), so that
    # even a cut block (20 actions, 7 candidates) keeps the firsts and lasts within one of each other.
    halves = [rows[i:i + k] for i in range(0, len(rows), k)] if k else []
    orders: list[list] = []
    turn = 0
    while len(orders) < n_items and halves:
        block = list(halves[turn % len(halves)])
        turn += 1
        rng.shuffle(block)
        orders.extend([[people[i] for i in row] for row in block])
    return orders[:n_items]


if __name__ == "__main__":  # pragma: no cover - the verification command quoted in the docs
    seed, n, *names = sys.argv[1:]
    for i, order in enumerate(reply_orders(seed, names, int(n)), 1):
        print(f"{i:>2}. " + " · ".join(order))
