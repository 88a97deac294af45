"""pyzmq PUSH -> a live room -> pyzmq PULL, beside pyzmq PUSH -> PULL
direct, over loopback TCP with 100-byte messages (docs/BENCHMARKS.md,
"Live broker": "ZeroMQ programs through a room"). Never a timed test.

    target/release/fanout serve --http 127.0.0.1:0 --memcached 127.0.0.1:0 --redis off \\
        --cache-nodes 0 --zmtp-ports free --room-rate 100000000 &
    target/python/bin/python server/benches/zmtp_push_pull.py ws://127.0.0.1:PORT/ws [MESSAGES]

The room runs one forwarder node (a PULL binding tcp://in, a PUSH binding
tcp://out: the engine's own PULL->PUSH stage); the PUSH connects to the
room's tcp://in port and the PULL to its tcp://out port, both in this
process (the sender in a thread), as zmq_push_pull.py measures pyzmq
alone. `--room-rate` must be raised, or the room's per-client rate (2,000
messages a second by default) is what gets measured. Prints both rates
and their ratio.
"""

import json
import sys
import threading
import time

import zmq
from websockets.sync.client import connect

SCENARIO = {
    "name": "zmtp-bench",
    "network": {"latency": "50us", "handshake": "1ms"},
    "nodes": [
        {
            "name": "stage",
            "program": {"kind": "forwarder"},
            "sockets": [
                {"name": "in", "type": "PULL", "bind": ["tcp://in"]},
                {"name": "out", "type": "PUSH", "bind": ["tcp://out"]},
            ],
        }
    ],
}


def rate(ctx, push_url, pull_url, n, bind_pull):
    """Messages per second from a PUSH at push_url to a PULL at pull_url."""
    pull = ctx.socket(zmq.PULL)
    if bind_pull:
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push_url = f"tcp://127.0.0.1:{port}"
    else:
        pull.connect(pull_url)
    push = ctx.socket(zmq.PUSH)
    push.connect(push_url)
    payload = b"p" * 100
    # Let the connections complete (and, in a room, the nodes join) first.
    push.send(b"hello")
    pull.recv()

    def sender():
        for _ in range(n):
            push.send(payload)

    start = time.perf_counter()
    thread = threading.Thread(target=sender)
    thread.start()
    for _ in range(n):
        pull.recv()
    elapsed = time.perf_counter() - start
    thread.join()
    push.close(0)
    pull.close(0)
    return n / elapsed


def main():
    url = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    ctx = zmq.Context()
    with connect(url) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1}))
        json.loads(ws.recv())
        ws.send(json.dumps({"type": "room_create", "scenario": SCENARIO, "zmtp": True, "id": 1}))
        joined = json.loads(ws.recv())
        ports = {e["endpoint"]: e["port"] for e in joined["zmtp"]}
        room = rate(ctx, f"tcp://127.0.0.1:{ports['tcp://in']}",
                    f"tcp://127.0.0.1:{ports['tcp://out']}", n, bind_pull=False)
        direct = rate(ctx, None, None, n, bind_pull=True)
    print(f"through a room: {n} messages of 100 bytes at {room:.0f} msg/s")
    print(f"pyzmq direct:   {n} messages of 100 bytes at {direct:.0f} msg/s")
    print(f"ratio: {room / direct:.3f}")


if __name__ == "__main__":
    main()
