"""The chapter's π logic, copied from its listing, applied to bit strings
read as a JSON list on stdin; prints the lines its `tally` would print.

shared/tests/pi_chapter.rs feeds it the strings the engine's bitsource
published and compares these lines with the engine's tally log, so the
engine's five nodes compute exactly what the chapter's Python does. No
sockets are involved: this checks the arithmetic and the routing by prefix
(always_yes takes '00', judge the rest), not ZeroMQ.
"""

import json
import sys

B = 32


def always_yes(bits):
    return "Y"


def pythagoras(request):
    numbers = json.loads(request)
    return json.dumps(sum(n * n for n in numbers))


def judge(bits):
    unit = 2 ** (B * 2)
    n, m = int(bits[::2], 2), int(bits[1::2], 2)
    request = json.dumps((n, m))
    sumsquares = json.loads(pythagoras(request))
    return "Y" if sumsquares < unit else "N"


def main():
    points = json.load(sys.stdin)
    p = q = 0
    lines = []
    for bits in points:
        decision = always_yes(bits) if bits.startswith("00") else judge(bits)
        q += 1
        if decision == "Y":
            p += 4
        lines.append(f"{decision} {p / q}")
    print(json.dumps({"lines": lines, "requests": [json.dumps((int(b[::2], 2), int(b[1::2], 2))) for b in points if not b.startswith("00")]}))


if __name__ == "__main__":
    main()
