"""The ZeroMQ Guide's Lazy Pirate (chapter 4: lpclient and lpserver) with
real pyzmq, on the schedules of lazy_pirate.json, printing per schedule
what became of each request and which requests each server incarnation
received, as JSON, for shared/tests/lazy_pirate_pyzmq.rs to compare with
Fanout's engine.

    lazy_pirate.py SCHEDULES_JSON
    lazy_pirate.py server PORT ACTIONS_JSON START_AT STALL_MS   (internal)

The client is the Guide's lpclient: poll the REQ for REQUEST_TIMEOUT, and
when no reply comes close it (LINGER 0), open a new one, connect and send
the same request again; after REQUEST_RETRIES attempts, abandon. The
server is the Guide's lpserver with its random faults replaced by the
schedule's: each incarnation is its own process that binds a REP on
127.0.0.1, and a crash is SIGKILL to itself, so the kernel closes its
connections as it would for a real crash. Timings only decide which side
of a timeout a reply lands on, with wide margins (lazy_pirate.json);
nothing here asserts."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import zmq


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server(port, actions, start_at, stall_ms):
    """One incarnation: waits until `start_at` (so a restart lands when
    the schedule says, whatever this process's own start-up took), binds,
    then answers as `actions` says."""
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.bind("tcp://127.0.0.1:%d" % port)
    print("ready", flush=True)
    cycles = 0
    while True:
        request = rep.recv()
        print("received %s" % request.decode(), flush=True)
        action = actions[cycles] if cycles < len(actions) else "ok"
        cycles += 1
        if action == "crash":
            print("crash %f" % time.time(), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        if action == "stall":
            time.sleep(stall_ms / 1000)
        rep.send(request)


class Servers:
    """Runs the incarnations one after another, recording what each
    received."""

    def __init__(self, schedule, port):
        self.s = schedule
        self.port = port
        self.received = []
        self.procs = []
        self.ready = threading.Event()
        self.lock = threading.Lock()

    def spawn(self, index, start_at):
        proc = subprocess.Popen(
            [
                sys.executable,
                os.path.abspath(__file__),
                "server",
                str(self.port),
                json.dumps(self.s["server"][index]),
                repr(start_at),
                str(self.s["stall_ms"]),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        with self.lock:
            self.procs.append(proc)
            self.received.append([])
        threading.Thread(target=self.watch, args=(index, proc), daemon=True).start()

    def watch(self, index, proc):
        for line in proc.stdout:
            word, _, rest = line.strip().partition(" ")
            if word == "ready":
                self.ready.set()
            elif word == "received":
                with self.lock:
                    self.received[index].append(rest)
            elif word == "crash" and index + 1 < len(self.s["server"]):
                self.spawn(index + 1, float(rest) + self.s["restart_ms"] / 1000)

    def stop(self):
        with self.lock:
            procs = list(self.procs)
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()


def client(schedule, port):
    """lpclient, counting attempts per request instead of printing."""
    endpoint = "tcp://127.0.0.1:%d" % port
    timeout = schedule["timeout_ms"]
    ctx = zmq.Context()
    outcomes = []

    def connect():
        c = ctx.socket(zmq.REQ)
        c.connect(endpoint)
        return c

    c = connect()
    for sequence in range(1, schedule["requests"] + 1):
        request = str(sequence).encode()
        c.send(request)
        attempts = 1
        retries_left = schedule["retries"]
        while True:
            if (c.poll(timeout) & zmq.POLLIN) != 0:
                reply = c.recv()
                if reply == request:
                    outcomes.append({"request": sequence, "attempts": attempts, "outcome": "replied"})
                    break
                continue  # "E: Malformed reply from server"
            retries_left -= 1
            c.setsockopt(zmq.LINGER, 0)
            c.close()
            if retries_left == 0:
                outcomes.append({"request": sequence, "attempts": attempts, "outcome": "abandoned"})
                ctx.term()
                return outcomes
            c = connect()
            c.send(request)
            attempts += 1
    c.setsockopt(zmq.LINGER, 0)
    c.close()
    ctx.term()
    return outcomes


def run(schedule):
    port = free_port()
    servers = Servers(schedule, port)
    try:
        servers.spawn(0, time.time())
        if not servers.ready.wait(30):
            raise RuntimeError("the server did not start")
        outcomes = client(schedule, port)
        time.sleep(0.1)  # the last incarnation's "received" lines
        with servers.lock:
            received = [list(r) for r in servers.received]
        return {"name": schedule["name"], "outcomes": outcomes, "received": received}
    finally:
        servers.stop()


def main():
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
        return
    with open(sys.argv[1]) as f:
        schedules = json.load(f)["schedules"]
    print(json.dumps({"results": [run(s) for s in schedules]}))


if __name__ == "__main__":
    main()
