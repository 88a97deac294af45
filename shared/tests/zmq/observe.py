"""Observe real libzmq (through pyzmq) for every deterministic behaviour in
docs/design/zmq-semantics.md and print one JSON object.

shared/tests/zmq_fidelity.rs runs this with $FANOUT_PYTHON and compares each
observation with the engine. Every socket lives on 127.0.0.1 with a random
port; sleeps only let handshakes and transfers finish, so the printed
values do not depend on timing (those that would, such as the slow joiner,
are not observed here).
"""

import json
import time

import zmq

SETTLE = 0.25  # seconds for connections and transfers to complete


def ctx_socket(ctx, kind, **opts):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    for k, v in opts.items():
        s.setsockopt(getattr(zmq, k), v)
    return s


def drain(sock):
    out = []
    while True:
        try:
            out.append(sock.recv_string(zmq.NOBLOCK))
        except zmq.Again:
            return out


def outcome(fn):
    try:
        fn()
        return "ok"
    except zmq.Again:
        return "EAGAIN"
    except zmq.ZMQError as e:
        return {zmq.EFSM: "EFSM", zmq.ENOTSUP: "ENOTSUP"}.get(e.errno, str(e.errno))


def round_robin(ctx):
    push = ctx_socket(ctx, zmq.PUSH)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    pulls = []
    for _ in range(3):
        p = ctx_socket(ctx, zmq.PULL)
        p.connect(f"tcp://127.0.0.1:{port}")
        pulls.append(p)
        time.sleep(SETTLE)
    for i in range(9):
        push.send_string(f"m{i}")
    time.sleep(SETTLE)
    return [drain(p) for p in pulls]


def first_peer_only(ctx):
    push = ctx_socket(ctx, zmq.PUSH)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    first = ctx_socket(ctx, zmq.PULL)
    first.connect(f"tcp://127.0.0.1:{port}")
    time.sleep(SETTLE)
    for i in range(9):
        push.send_string(f"m{i}")
    others = []
    for _ in range(2):
        p = ctx_socket(ctx, zmq.PULL)
        p.connect(f"tcp://127.0.0.1:{port}")
        others.append(p)
    time.sleep(SETTLE)
    return [drain(first)] + [drain(p) for p in others]


def fair_queue(ctx):
    pull = ctx_socket(ctx, zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    pushes = []
    for _ in range(3):
        p = ctx_socket(ctx, zmq.PUSH)
        p.connect(f"tcp://127.0.0.1:{port}")
        pushes.append(p)
        time.sleep(SETTLE)
    for i, p in enumerate(pushes):
        for j in range(3):
            p.send_string(f"p{i}-{j}")
    time.sleep(SETTLE)
    return drain(pull)


PREFIX_CASES = [
    {"subscribe": ["weather."], "unsubscribe": []},
    {"subscribe": ["news"], "unsubscribe": []},
    {"subscribe": [""], "unsubscribe": []},
    {"subscribe": [], "unsubscribe": []},
    {"subscribe": ["weather.", "news"], "unsubscribe": ["news"]},
    {"subscribe": ["news", "news"], "unsubscribe": ["news"]},
    {"subscribe": ["weather.", "weather.paris"], "unsubscribe": []},
    {"subscribe": ["a"], "unsubscribe": ["zzz"]},
]
PREFIX_MESSAGES = ["weather.paris", "weather.oslo", "news", "newsletter", "sports", "", "a"]


def prefix_table(ctx):
    rows = []
    for case in PREFIX_CASES:
        pub = ctx_socket(ctx, zmq.PUB)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        sub = ctx_socket(ctx, zmq.SUB)
        sub.connect(f"tcp://127.0.0.1:{port}")
        for t in case["subscribe"]:
            sub.setsockopt_string(zmq.SUBSCRIBE, t)
        for t in case["unsubscribe"]:
            sub.setsockopt_string(zmq.UNSUBSCRIBE, t)
        time.sleep(SETTLE)
        for m in PREFIX_MESSAGES:
            pub.send_string(m)
        time.sleep(SETTLE)
        rows.append(dict(case, received=drain(sub)))
        pub.close()
        sub.close()
    return {"messages": PREFIX_MESSAGES, "cases": rows}


def req_rep_pair(ctx):
    rep = ctx_socket(ctx, zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req = ctx_socket(ctx, zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    time.sleep(SETTLE)
    return req, rep


def efsm(ctx):
    cases = {}
    req, rep = req_rep_pair(ctx)
    cases["req_recv_first"] = [outcome(lambda: req.recv(zmq.NOBLOCK))]
    cases["rep_send_first"] = [outcome(lambda: rep.send(b"x", zmq.NOBLOCK))]
    cases["rep_recv_nothing"] = [outcome(lambda: rep.recv(zmq.NOBLOCK))]
    first = outcome(lambda: req.send(b"q1", zmq.NOBLOCK))
    cases["req_send_twice"] = [first, outcome(lambda: req.send(b"q2", zmq.NOBLOCK))]
    cases["req_recv_before_reply"] = [outcome(lambda: req.recv(zmq.NOBLOCK))]
    time.sleep(SETTLE)
    got = outcome(lambda: rep.recv(zmq.NOBLOCK))
    cases["rep_recv_twice"] = [got, outcome(lambda: rep.recv(zmq.NOBLOCK))]
    cases["rep_send_reply_then_send_again"] = [
        outcome(lambda: rep.send(b"r1", zmq.NOBLOCK)),
        outcome(lambda: rep.send(b"r2", zmq.NOBLOCK)),
    ]
    time.sleep(SETTLE)
    cases["req_recv_reply_then_recv_again"] = [
        outcome(lambda: req.recv(zmq.NOBLOCK)),
        outcome(lambda: req.recv(zmq.NOBLOCK)),
    ]
    cases["req_send_after_reply"] = [outcome(lambda: req.send(b"q3", zmq.NOBLOCK))]
    req.close()
    rep.close()
    for kind, op, name in [
        (zmq.SUB, "send", "sub_send"),
        (zmq.PULL, "send", "pull_send"),
        (zmq.PUSH, "recv", "push_recv"),
        (zmq.PUB, "recv", "pub_recv"),
    ]:
        s = ctx_socket(ctx, kind)
        fn = (lambda: s.send(b"x", zmq.NOBLOCK)) if op == "send" else (lambda: s.recv(zmq.NOBLOCK))
        cases[name] = [outcome(fn)]
        s.close()
    push = ctx_socket(ctx, zmq.PUSH)
    push.bind_to_random_port("tcp://127.0.0.1")
    cases["push_no_peer"] = [outcome(lambda: push.send(b"x", zmq.NOBLOCK))]
    pub = ctx_socket(ctx, zmq.PUB)
    pub.bind_to_random_port("tcp://127.0.0.1")
    cases["pub_no_peer"] = [outcome(lambda: pub.send(b"x", zmq.NOBLOCK))]
    push.close()
    pub.close()
    return cases


def hwm_rounds_once(ctx, mark):
    push = ctx_socket(ctx, zmq.PUSH, SNDHWM=mark)
    pull = ctx_socket(ctx, zmq.PULL, RCVHWM=mark)
    port = push.bind_to_random_port("tcp://127.0.0.1")
    pull.connect(f"tcp://127.0.0.1:{port}")
    time.sleep(SETTLE)
    rounds = []
    n = 0
    for _ in range(3):
        k = 0
        while True:
            try:
                push.send_string(f"m{n}", zmq.NOBLOCK)
                n += 1
                k += 1
            except zmq.Again:
                break
        rounds.append(k)
        time.sleep(SETTLE / 2)
    push.close()
    pull.close()
    return rounds


def hwm_rounds(ctx, mark, trials=3):
    """How many non-blocking sends a PUSH accepts, round after round, with a
    PULL that never reads. libzmq's I/O thread drains concurrently with the
    sending loop, so on a busy machine a round is occasionally off by a
    credit batch: report the most common value of each round over a few
    trials, plus every trial for the record."""
    seen = [hwm_rounds_once(ctx, mark) for _ in range(trials)]
    mode = [max(set(col), key=col.count) for col in zip(*seen)]
    return {"mode": mode, "trials": seen}


def connect_before_bind(ctx):
    """A PUSH that connects before anyone binds queues up to its mark (its
    pipe exists from `connect`, ZMQ_IMMEDIATE being off); a PULL binding
    later gets those messages."""
    probe = ctx_socket(ctx, zmq.PULL)
    port = probe.bind_to_random_port("tcp://127.0.0.1")
    probe.close()
    time.sleep(SETTLE)
    push = ctx_socket(ctx, zmq.PUSH, SNDHWM=5)
    push.connect(f"tcp://127.0.0.1:{port}")
    accepted = 0
    while accepted < 100:
        try:
            push.send_string(f"m{accepted}", zmq.NOBLOCK)
            accepted += 1
        except zmq.Again:
            break
    pull = ctx_socket(ctx, zmq.PULL)
    pull.bind(f"tcp://127.0.0.1:{port}")
    # libzmq's reconnect interval is 100 ms.
    time.sleep(SETTLE * 2)
    got = drain(pull)
    push.close()
    pull.close()
    return {"accepted": accepted, "received": got}


def req_alternation(ctx):
    reps = []
    req = ctx_socket(ctx, zmq.REQ)
    for _ in range(2):
        r = ctx_socket(ctx, zmq.REP)
        port = r.bind_to_random_port("tcp://127.0.0.1")
        req.connect(f"tcp://127.0.0.1:{port}")
        reps.append(r)
    time.sleep(SETTLE)
    answered = []
    for i in range(4):
        req.send_string(f"q{i}")
        time.sleep(SETTLE / 5)
        for name, r in zip(["rep1", "rep2"], reps):
            try:
                q = r.recv_string(zmq.NOBLOCK)
                r.send_string(f"{name}:{q}")
            except zmq.Again:
                pass
        answered.append(req.recv_string())
    return answered


def main():
    ctx = zmq.Context()
    out = {
        "libzmq": zmq.zmq_version(),
        "pyzmq": zmq.__version__,
        "round_robin": round_robin(ctx),
        "first_peer_only": first_peer_only(ctx),
        "fair_queue": fair_queue(ctx),
        "prefix_table": prefix_table(ctx),
        "efsm": efsm(ctx),
        "hwm_rounds": {str(m): hwm_rounds(ctx, m) for m in (1, 2, 3, 4, 5, 6, 7, 10)},
        "req_alternation": req_alternation(ctx),
        "connect_before_bind": connect_before_bind(ctx),
    }
    ctx.destroy(0)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
