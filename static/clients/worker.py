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

If the room runs a broker (the reliability lab's scenarios), the worker is
a Celery-style task worker instead: it adds a live `task_worker` node that
consumes the broker's queue (--queue, --prefetch) and acknowledges as
--ack says: `early` (before the handler runs, Celery's default) or `late`
(after it returns, `acks_late`). The server hands it each task; it "runs"
the handler for the task's own time or --slow seconds, and says
`task_done`. With --crash-after N it exits abruptly in the middle of its
Nth task, as a killed process does: the room sees its connection drop, and
the task it held is redelivered to another worker (late ack) or lost
(early ack). Ctrl-C is the same crash.

    python3 worker.py --room KFC-7PX --ack late --crash-after 3
    python3 worker.py --room KFC-7PX --ack early --slow 0.5

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
    """The server answered a request with an `error` frame (kept in
    `frame`, whose `refusal` says why as a typed fact)."""

    def __init__(self, message, frame=None):
        super().__init__(message)
        self.frame = frame or {}

    def code(self):
        fact = self.frame.get("refusal", {}).get("fact", {})
        return fact.get("error", {}).get("code") or fact.get("code")


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
            raise Refused(f"{frame_type}: {answer['message']}", answer)
        return answer

    async def pushed(self):
        return await self.pushes.get()

    async def hello(self, client):
        """Opens the session as `client`; refused by a server without live
        rooms."""
        welcome = await self.request("hello", protocol=1, client=client)
        if "rooms" not in welcome.get("features", []):
            raise Refused("this server has no live rooms")
        return welcome


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


def broker_of(topology, scenario):
    """The room's broker node and the queue to consume, or (None, None)."""
    brokers = [n["name"] for n in topology["nodes"] if n["program"] == "broker" and n["state"] != "removed"]
    if not brokers:
        return None, None
    queue = "tasks"
    if isinstance(scenario, dict):
        for node in scenario.get("nodes", []):
            program = node.get("program", {})
            if node.get("name") == brokers[0] and program.get("queues"):
                queue = program["queues"][0]["name"]
    return brokers[0], queue


async def run_tasks(args, session, room, broker, queue, name):
    """A live task worker: handed tasks by the room, it runs each handler
    (a sleep) and says `task_done`; the engine acknowledges as --ack says."""
    program = {
        "kind": "task_worker",
        "broker": args.broker or broker,
        "queue": args.queue or queue,
        "prefetch": args.prefetch,
        "ack": args.ack or "early",
        "live": True,
    }
    added = await session.request("node_add", name=name, program=program)
    node = added["node"]
    if not args.quiet:
        print(
            f"worker.py: in room {room} as task worker {node}, consuming {program['queue']} "
            f"on {program['broker']} (ack {program['ack']}, prefetch {args.prefetch})",
            file=sys.stderr,
        )
    handled = 0
    redelivered = 0
    started = None
    while handled < args.count:
        frame = await session.pushed()
        if frame["type"] in ("room_closed", "room_left", "connection_closed"):
            raise Refused(f"room {room} ended: {frame.get('reason', 'connection closed')}")
        if frame["type"] != "task":
            continue
        started = started or time.monotonic()
        task = frame["task"]
        redelivered += frame["redelivered"]
        if args.crash_after and handled + 1 == args.crash_after:
            # In the middle of the task: no task_done, no goodbye. The OS
            # closes the connection, exactly as when the process is killed.
            print(f"worker.py: {node} crashes in the middle of task t{task}", flush=True)
            sys.stdout.flush()
            os._exit(3)
        await asyncio.sleep(args.slow if args.slow is not None else frame["work_us"] / 1e6)
        try:
            await session.request("room_act", action={"op": "task_done", "node": node, "task": task})
        except Refused as refused:
            if refused.code() != "not_handed_out":
                raise
            # The room's creator crashed this worker meanwhile: the task
            # was taken back with its process; tasks come again after the
            # restart.
            print(f"worker.py: {node} lost task t{task} (its node crashed)", file=sys.stderr)
            continue
        handled += 1
        if not args.quiet:
            again = " (redelivered)" if frame["redelivered"] else ""
            print(f"worker.py: {node} ran task t{task}{again}", file=sys.stderr)
    elapsed = time.monotonic() - (started or time.monotonic())
    await session.request("room_leave")
    print(
        f"worker.py: room {room}, task worker {node}: ran {handled} tasks in {elapsed:.2f} s "
        f"({redelivered} redelivered), ack {program['ack']}"
    )


async def run(args):
    async with connect(args.url, max_size=None) as ws:
        session = Session(ws)
        await session.hello("worker.py")
        name = args.name or f"py-worker-{os.getpid()}"
        scenario = None
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
        broker, queue = broker_of(joined["topology"], scenario)
        if broker or args.broker:
            await run_tasks(args, session, room, broker, queue, name)
            return
        if args.ack or args.crash_after or args.slow is not None:
            raise Refused(f"room {room} runs no broker: --ack, --crash-after and --slow are for task workers")
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
    tasks = parser.add_argument_group("task worker (a room with a broker)")
    tasks.add_argument("--ack", choices=["early", "late"], help="acknowledge before the handler (early, the default) or after it (late)")
    tasks.add_argument("--crash-after", type=int, metavar="N", help="exit abruptly in the middle of the Nth task")
    tasks.add_argument("--slow", type=float, metavar="SECONDS", help="seconds per task (default: the time each task asks for)")
    tasks.add_argument("--broker", help="the broker node (default: the room's first)")
    tasks.add_argument("--queue", help="the queue to consume (default: the broker's first, or 'tasks')")
    tasks.add_argument("--prefetch", type=int, default=1, help="most unacknowledged tasks held (default 1)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.crash_after is not None and args.crash_after < 1:
        parser.error("--crash-after must be at least 1")
    if args.slow is not None and args.slow < 0:
        parser.error("--slow must not be negative")
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
