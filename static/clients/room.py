#!/usr/bin/env python3
"""The teacher's side of a live room, from a terminal (docs/protocol.md,
"Brokers in a room"): create a room running a lesson and watch its ledger,
or, holding the room's token, break something in it.

    python3 room.py --scenario at-least-once
        creates the room, prints its code and the creator's token, then one
        line a second: the room's time and what became of its tasks
        (exactly once, more than once, lost, ...) until Ctrl-C or --seconds;
        students join it with `worker.py --room CODE --ack late`.

    python3 room.py --room CODE --token TOKEN --act '{"op": "crash", "node": "worker-1", "duration": "2s"}'
        joins as the room's creator, applies one action (a fault: crash,
        restart, pause, resume, partition, heal, delay, drop, duplicate,
        poison; or any edit), prints what happened and leaves.

It uses worker.py's session (keep both files in one folder; the server
serves both at /clients/).
"""

import argparse
import asyncio
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from worker import Refused, Session, connect  # noqa: E402

OUTCOMES = [
    ("exactly_once", "exactly once"),
    ("duplicated", "more than once"),
    ("lost", "lost"),
    ("dead_lettered", "dead-lettered"),
    ("failed", "failed"),
    ("pending", "on their way"),
]


def ledger_line(summary):
    """One line: the room's time and its tasks' outcomes."""
    seconds = summary["now"] / 1e6
    ledger = summary.get("ledger")
    if not ledger:
        return f"t={seconds:.1f}s (no broker: no ledger)"
    counts = {key: 0 for key, _ in OUTCOMES}
    for task in ledger["tasks"]:
        counts[task["outcome"]] = counts.get(task["outcome"], 0) + 1
    parts = ", ".join(f"{counts[key]} {words}" for key, words in OUTCOMES)
    return f"t={seconds:.1f}s tasks: {parts}"


async def create(args, session):
    scenario = args.scenario
    if scenario.endswith(".json"):
        with open(scenario, encoding="utf-8") as f:
            scenario = json.load(f)
    fields = {"scenario": scenario, "name": "teacher", "watch": True}
    if args.seed is not None:
        fields["seed"] = args.seed
    joined = await session.request("room_create", **fields)
    print(f"room {joined['room']} token {joined['token']}", flush=True)
    print(f"students: python3 worker.py --room {joined['room']} --ack late", flush=True)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    last = None
    summary = None
    while deadline is None or time.monotonic() < deadline:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            frame = await asyncio.wait_for(session.pushed(), timeout)
        except asyncio.TimeoutError:
            break
        if frame["type"] in ("room_closed", "connection_closed"):
            print(f"room.py: the room ended: {frame.get('reason', 'connection closed')}", flush=True)
            return
        if frame["type"] == "room_events":
            summary = frame["summary"]
            line = ledger_line(summary)
            # A line when the outcomes change (the room's feed comes a
            # few times a second while something happens).
            counts = line.split(" ", 1)[1]
            if counts != last:
                last = counts
                print(line, flush=True)
    await session.request("room_close", room=joined["room"], token=joined["token"])


async def act(args, session):
    action = json.loads(args.act)
    await session.request("room_join", room=args.room, token=args.token, name="teacher")
    try:
        answer = await session.request("room_act", action=action)
        event = answer["event"]
        what = event.get("what") or event.get("type")
        print(f"room {args.room.upper()}: {action.get('op')} applied ({what}): {json.dumps(event)}")
    finally:
        await session.request("room_leave")


async def run(args):
    async with connect(args.url, max_size=None) as ws:
        session = Session(ws)
        await session.hello("room.py")
        if args.act:
            await act(args, session)
        else:
            await create(args, session)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080/ws", help="the server's WebSocket URL")
    parser.add_argument("--scenario", default="at-least-once", help="create a room running this preset or scenario file")
    parser.add_argument("--seed", type=int, help="seed of the room")
    parser.add_argument("--seconds", type=float, help="watch this long, then close the room (default: until Ctrl-C)")
    parser.add_argument("--room", help="the room to act on (with --token and --act)")
    parser.add_argument("--token", help="the creator's token, as create printed it")
    parser.add_argument("--act", help='one action as JSON, e.g. \'{"op": "crash", "node": "worker-1"}\'')
    args = parser.parse_args()
    if args.act and not (args.room and args.token):
        parser.error("--act needs --room and --token")
    try:
        asyncio.run(run(args))
    except Refused as refused:
        print(f"room.py: {refused}", file=sys.stderr)
        sys.exit(1)
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    except OSError as failure:
        print(f"room.py: cannot reach {args.url}: {failure}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
