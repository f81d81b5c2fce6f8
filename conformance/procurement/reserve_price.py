#!/usr/bin/env python3
"""Recompute Dasan's multiple reserve price draw (복수예비가격) from its public inputs.

Written from the rule in crates/dasan-procurement/src/reserve.rs and docs/ARCHITECTURE.md, not
from the Rust code's internals; standard library only.

    reserve_price.py INPUT.json          print the draw for one input as JSON
    reserve_price.py --check CASES.jsonl check every {"input": ..., "output": ...} line

Input JSON: tender_id, base_amount, band_bp, seed_commitment (hex), seed (hex), bid_box_root
(hex), picks ([[a, b], ...]).
"""

import hashlib
import json
import sys

DOMAIN = b"dasan-procurement/v1/reserve-price-draw\x00"
PRICES = 15
CHOSEN = 4
TWO64 = 1 << 64


class DrawError(Exception):
    pass


def draw(inp):
    seed = bytes.fromhex(inp["seed"])
    root = bytes.fromhex(inp["bid_box_root"])
    if len(seed) != 32 or len(root) != 32:
        raise DrawError("seed and bid_box_root are 32 bytes")
    # 1. The revealed seed must match the commitment published with the notice.
    if hashlib.sha256(seed).digest() != bytes.fromhex(inp["seed_commitment"]):
        raise DrawError("seed does not match its commitment")
    base = inp["base_amount"]
    band = inp["band_bp"]
    if base <= 0:
        raise DrawError("base amount must be positive")
    if not 0 <= band <= 10_000:
        raise DrawError("band out of range")
    # 2. The band, in integers.
    delta = base * band // 10_000
    low, high = base - delta, base + delta
    if high >= TWO64:
        raise DrawError("band does not fit in 64 bits")
    span = high - low + 1
    # 3-4. SHA-256 counter-mode stream, 8-byte big-endian words, rejection sampling.
    limit = TWO64 - (TWO64 % span)
    tender = inp["tender_id"].encode("utf-8")
    prefix = (
        DOMAIN
        + len(tender).to_bytes(2, "big")
        + tender
        + seed
        + root
        + base.to_bytes(8, "big")
        + band.to_bytes(4, "big")
    )
    prices = []
    counter = 0
    while len(prices) < PRICES:
        block = hashlib.sha256(prefix + counter.to_bytes(4, "big")).digest()
        for k in range(4):
            x = int.from_bytes(block[8 * k : 8 * k + 8], "big")
            if x < limit and len(prices) < PRICES:
                prices.append(low + x % span)
        counter += 1
    # 5. Count the picks.
    counts = [0] * PRICES
    for a, b in inp["picks"]:
        if a == b or not (1 <= a <= PRICES and 1 <= b <= PRICES):
            raise DrawError(f"invalid picks {[a, b]}")
        counts[a - 1] += 1
        counts[b - 1] += 1
    # 6. The four most picked; ties to the lower number.
    ranked = sorted(range(PRICES), key=lambda k: (-counts[k], k))
    chosen = sorted(ranked[:CHOSEN])
    # 7. Their mean, rounded down.
    reserve = sum(prices[k] for k in chosen) // CHOSEN
    return {
        "preliminary_prices": prices,
        "pick_counts": counts,
        "chosen": [k + 1 for k in chosen],
        "reserve_price": reserve,
    }


def check(path):
    total = bad = 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            total += 1
            try:
                mine = draw(case["input"])
            except DrawError as e:
                mine = {"error": str(e)}
            if mine != case["output"]:
                bad += 1
                print(f"line {line_no}: MISMATCH for tender {case['input']['tender_id']!r}")
                print(f"  dasan:  {json.dumps(case['output'])}")
                print(f"  python: {json.dumps(mine)}")
    print(f"{total - bad} of {total} draws recomputed identically")
    return 0 if bad == 0 and total > 0 else 1


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            print(json.dumps(draw(json.load(f)), indent=2))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
