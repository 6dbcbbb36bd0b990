"""Splits a verifier profile into the send and the verifier's own work, by part.

Reads `perf script` output of `verifier_cpu pair` (recorded with --call-graph dwarf) on stdin
and prints, for the samples of start + check pairs, the share under the send
(Client::send_prepared) and the verifier's own samples grouped by the first part their call
stack names, in the order below.

    perf script -i pair.data | python3 bench/profiles/verifier_parts.py
"""

import re
import sys
from collections import Counter

# (part, a pattern any frame of the stack matches), first match wins.
PARTS = [
    ("records as JSON (parse)", r"policy::parse|Deserializ|deserializ"),
    ("records as JSON (write)", r"policy::json|Serializ|serializ"),
    (
        "store update: map, lock, rules, record copy",
        r"update_value|MemoryStore|on_value|policy::",
    ),
    ("code sealed", r"Sealer|ring::aead|chacha|poly1305|base64"),
    ("HMACs of number and code", r"hmac|Hmac|sha2::"),
    ("router plan", r"::plan|prepare"),
    ("number parsed", r"phone::|Phone"),
    ("text formatting", r"fmt::|format"),
    ("clock", r"clock_gettime|Instant|Utc::now|::now"),
    ("random", r"random_bytes|rand::"),
]


def frames(sample):
    lines = sample.strip().split("\n")
    return lines[0], [
        re.sub(r"\+0x[0-9a-f]+", "", l.strip().split(" ", 1)[-1]) for l in lines[1:]
    ]


def main():
    pairs = send = 0
    own = Counter()
    for sample in sys.stdin.read().split("\n\n"):
        if not sample.strip():
            continue
        _, stack = frames(sample)
        joined = " | ".join(stack)
        if not re.search(r"Verifier::start|Verifier::check|start_and_check", joined):
            continue
        pairs += 1
        if "send_prepared" in joined:
            send += 1
            continue
        part = next(
            (name for name, pattern in PARTS if re.search(pattern, joined)), "other"
        )
        own[part] += 1
    mine = pairs - send
    print(
        f"pair samples {pairs}: the send {100 * send / pairs:.1f} %, the verifier's own {100 * mine / pairs:.1f} %"
    )
    for part, n in own.most_common():
        print(f"    {100 * n / pairs:5.1f} %  {part}")


if __name__ == "__main__":
    main()
