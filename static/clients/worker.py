#!/usr/bin/env python3
"""A live-room worker for Fanout: a PULL worker driven over the WebSocket
protocol (docs/protocol.md, "Live rooms").

    pip install websockets
    python3 worker.py --url ws://HOST:8080/ws --scenario pipeline --count 100
    python3 worker.py --url ws://HOST:8080/ws --room KFC-7PX --count 100

With --scenario it creates a live room running that preset (or a scenario
file: --scenario my.json); with --room it joins one by its code. It then adds
its own node to the room: a PULL socket connected to the endpoint that hands
out work (the bound PUSH socket, e.g. the pipeline's tcp://ventilator) and,
if the room has a collector (a bound PULL socket, e.g. tcp://sink), a PUSH
socket connected to it for the results. The server pushes messages as they
arrive; the worker "works" on each (--service seconds), sends
"<payload> done by <name>" on, and after --count messages prints one line
and exits 0.

Only the Python standard library and the `websockets` package are used, so
this file is also a readable example of the protocol: every frame is one
JSON object with a "type".
"""

import argparse
import asyncio
import json
import os
import sys
import time

try:
    from websockets.asyncio.client import connect
except ImportError:  # websockets < 13
    from websockets import connect
from websockets.exceptions import ConnectionClosed


class Refused(Exception):
    """The server answered a request with an `error` frame."""


class Session:
    """One WebSocket session: requests carry an `id` and wait for the frame
    with the same `id`; frames the server pushes (received messages, room
    events, the room closing) are queued for `pushed()`."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 1
        self.answers = {}
        self.pushes = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        try:
            async for text in self.ws:
                frame = json.loads(text)
                # `welcome` answers `hello`, the one frame without an id.
                key = "hello" if frame["type"] == "welcome" else frame.get("id")
                waiter = self.answers.pop(key, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
                else:
                    await self.pushes.put(frame)
        except ConnectionClosed:
            pass
        finally:
            await self.pushes.put({"type": "connection_closed"})
            for waiter in self.answers.values():
                if not waiter.done():
                    waiter.set_result({"type": "error", "message": "connection closed"})

    async def request(self, frame_type, **fields):
        waiter = asyncio.get_running_loop().create_future()
        if frame_type == "hello":
            self.answers["hello"] = waiter
        else:
            fields["id"] = self.next_id
            self.answers[self.next_id] = waiter
            self.next_id += 1
        await self.ws.send(json.dumps({"type": frame_type, **fields}))
        answer = await waiter
        if answer["type"] == "error":
            raise Refused(f"{frame_type}: {answer['message']}")
        return answer

    async def pushed(self):
        return await self.pushes.get()


def endpoints(topology):
    """The bound PUSH endpoint (where work comes from) and the bound PULL
    endpoint (where results go), if the room has them."""
    source = sink = None
    for socket in topology["sockets"]:
        if not socket["alive"] or not socket["binds"]:
            continue
        if socket["kind"] == "PUSH" and source is None:
            source = socket["binds"][0]
        elif socket["kind"] == "PULL" and sink is None:
            sink = socket["binds"][0]
    return source, sink


async def run(args):
    async with connect(args.url, max_size=None) as ws:
        session = Session(ws)
        welcome = await session.request("hello", protocol=1, client="worker.py")
        if "rooms" not in welcome.get("features", []):
            raise Refused("this server has no live rooms")
        name = args.name or f"py-worker-{os.getpid()}"
        if args.room:
            joined = await session.request("room_join", room=args.room, name=name)
        else:
            scenario = args.scenario
            if scenario.endswith(".json"):
                with open(scenario, encoding="utf-8") as f:
                    scenario = json.load(f)
            fields = {"scenario": scenario, "name": name}
            if args.seed is not None:
                fields["seed"] = args.seed
            joined = await session.request("room_create", **fields)
        room = joined["room"]
        source, sink = endpoints(joined["topology"])
        source = args.connect or source
        sink = args.sink or sink
        if source is None:
            raise Refused(f"room {room} has no bound PUSH socket to take work from; pass --connect")
        sockets = [{"name": "in", "type": "PULL", "connect": [source]}]
        if sink:
            sockets.append({"name": "out", "type": "PUSH", "connect": [sink]})
        added = await session.request(
            "node_add", name=name, sockets=sockets, auto_recv=True, auto_limit=args.count
        )
        node = added["node"]
        if not args.quiet:
            print(f"worker.py: in room {room} as node {node}, pulling from {source}", file=sys.stderr)

        handled = 0
        first = last = None
        started = None
        while handled < args.count:
            frame = await session.pushed()
            if frame["type"] in ("room_closed", "room_left", "connection_closed"):
                raise Refused(f"room {room} ended: {frame.get('reason', 'connection closed')}")
            if frame["type"] != "received":
                continue
            if started is None:
                started = time.monotonic()
            results = []
            for message in frame["messages"]:
                payload = message["payload"]
                first = first or payload
                last = payload
                if args.service > 0:
                    await asyncio.sleep(args.service)
                results.append(f"{payload} done by {node}")
                handled += 1
            while results and sink:
                sent = await session.request("send", node=node, socket="out", payloads=results)
                results = results[len(sent["msgs"]):]
                if results:
                    # EAGAIN: the sink's pipe is full; a real PUSH would block.
                    await asyncio.sleep(0.01)
        elapsed = time.monotonic() - (started or time.monotonic())
        await session.request("room_leave")
        rate = handled / elapsed if elapsed > 0 else float("inf")
        where = f"results pushed to {sink}" if sink else "no results sent (no sink)"
        print(
            f"worker.py: room {room}, node {node}: handled {handled} messages in "
            f"{elapsed:.2f} s ({rate:.0f}/s); first {first!r}, last {last!r}; {where}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080/ws", help="the server's WebSocket URL")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scenario", default="pipeline", help="create a room running this preset or scenario file")
    where.add_argument("--room", help="join the room with this code instead")
    parser.add_argument("--count", type=int, default=100, help="messages to handle before exiting")
    parser.add_argument("--name", help="this worker's node name")
    parser.add_argument("--seed", type=int, help="seed of a room this worker creates")
    parser.add_argument("--connect", help="endpoint to pull work from (default: the room's bound PUSH)")
    parser.add_argument("--sink", help="endpoint to push results to (default: the room's bound PULL)")
    parser.add_argument("--service", type=float, default=0.0, help="seconds of pretend work per message")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    try:
        asyncio.run(run(args))
    except Refused as refused:
        print(f"worker.py: {refused}", file=sys.stderr)
        sys.exit(1)
    except OSError as failure:
        print(f"worker.py: cannot reach {args.url}: {failure}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
