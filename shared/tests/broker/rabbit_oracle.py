"""Runs each schedule of schedules.json against a real RabbitMQ through
pika (RabbitMQ's reference Python client) and prints what happened, as
JSON, for shared/tests/rabbitmq.rs to compare with Fanout's broker.

    rabbit_oracle.py SCHEDULES_JSON      (FANOUT_RABBITMQ_SERVER: the broker)

One private node serves every schedule (rabbit_server.py); each schedule's
queues carry its name as a prefix, so schedules do not meet. For each
schedule it prints the confirm each publish got, the deliveries each step
caused (consumer, redelivered flag, and for a quorum queue its
x-delivery-count), whether a step got a channel closed by the broker, and
where every message is at the end: the consumers are closed (their
unacknowledged deliveries return) and each queue is emptied with
basic.get, in order.

Waiting: a step waits until it has seen the deliveries its `expect` says
(10 s at most), then listens 100 ms more for any it did not expect. A
consumer that got more or fewer shows in the ledgers, which are compared;
nothing here asserts. ORACLE_DEBUG=1 prints each step's duration, and
each retry of a recovering broker, to stderr."""

import json
import os
import sys
import time

import pika

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rabbit_server import RabbitServer  # noqa: E402

EXPECT_WAIT = 10.0
GRACE = 0.1


class Run:
    def __init__(self, server, schedule):
        self.server = server
        self.s = schedule
        self.prefix = schedule["name"] + "."
        self.queues = {q["name"]: q for q in schedule["queues"]}
        self.conns = {}  # name -> dict(conn, ch, queue, auto, held)
        self.log = []  # deliveries of the current step
        self.out = {"name": schedule["name"], "published": {}, "steps": [], "end": {}}
        self.pub = None

    def params(self):
        return pika.ConnectionParameters(
            "127.0.0.1", self.server.port, heartbeat=0, blocked_connection_timeout=30
        )

    def qname(self, name):
        return self.prefix + name

    def declare_all(self, ch):
        for q in self.s["queues"]:
            args = {}
            if q.get("type") == "quorum":
                args["x-queue-type"] = "quorum"
            if q.get("delivery_limit") is not None:
                args["x-delivery-limit"] = q["delivery_limit"]
            if q.get("dead_letter"):
                args["x-dead-letter-exchange"] = ""
                args["x-dead-letter-routing-key"] = self.qname(q["dead_letter"])
            if q.get("max_length") is not None:
                args["x-max-length"] = q["max_length"]
                args["x-overflow"] = q.get("overflow", "drop_head").replace("_", "-")
            ch.queue_declare(self.qname(q["name"]), durable=q.get("durable", True), arguments=args)

    def publisher(self):
        if self.pub is None:
            conn = pika.BlockingConnection(self.params())
            ch = conn.channel()
            ch.confirm_delivery()
            self.pub = (conn, ch)
        return self.pub[1]

    def patiently(self, call, seconds=60):
        """Calls `call(channel)` on the publisher's channel; a broker that
        is still recovering (a quorum queue electing its leader after a
        restart answers with a timeout and closes the connection) is asked
        again on a new connection, for up to `seconds`."""
        deadline = time.time() + seconds
        while True:
            try:
                return call(self.publisher())
            except pika.exceptions.AMQPError as e:
                if os.environ.get("ORACLE_DEBUG"):
                    print("%.1f retry after %r" % (time.time(), e), file=sys.stderr)
                if time.time() > deadline:
                    raise
                if self.pub is not None and self.pub[0].is_open:
                    try:
                        self.pub[0].close()
                    except pika.exceptions.AMQPError:
                        pass
                self.pub = None
                time.sleep(0.5)

    def is_quorum(self, queue):
        q = self.queues.get(queue)
        return q is not None and q.get("type") == "quorum"

    def on_message(self, name):
        def cb(ch, method, props, body):
            c = self.conns[name]
            message = body.decode()
            c["held"][message] = method.delivery_tag
            count = None
            if self.is_quorum(c["queue"]):
                count = int((props.headers or {}).get("x-delivery-count", 0))
            self.log.append(
                {"message": message, "conn": name, "redelivered": bool(method.redelivered), "count": count}
            )

        return cb

    def pump(self, seconds):
        until = time.time() + seconds
        while True:
            for c in list(self.conns.values()):
                if c["conn"].is_open:
                    try:
                        c["conn"].process_data_events(time_limit=0)
                    except pika.exceptions.AMQPError:
                        pass
            if time.time() >= until:
                return
            time.sleep(0.002)

    def wait(self, expect):
        until = time.time() + EXPECT_WAIT
        while len(self.log) < expect and time.time() < until:
            self.pump(0.01)
        self.pump(GRACE)

    def step(self, st):
        op = st["op"]
        record = {"op": op}
        closed_before = {n for n, c in self.conns.items() if c["ch"].is_closed}
        if op == "publish":
            ch = self.publisher()
            props = pika.BasicProperties(delivery_mode=2 if st.get("persistent", True) else 1)
            for m in st["messages"]:
                try:
                    ch.basic_publish("", self.qname(st["queue"]), m.encode(), props)
                    self.out["published"][m] = "ack"
                except pika.exceptions.NackError:
                    self.out["published"][m] = "nack"
        elif op == "consume":
            conn = pika.BlockingConnection(self.params())
            ch = conn.channel()
            auto = st.get("ack", "manual") == "auto"
            self.conns[st["conn"]] = {"conn": conn, "ch": ch, "queue": st["queue"], "held": {}}
            ch.basic_qos(prefetch_count=st["prefetch"])
            ch.basic_consume(self.qname(st["queue"]), self.on_message(st["conn"]), auto_ack=auto)
        elif op in ("ack", "nack", "reject"):
            c = self.conns[st["conn"]]
            tag = c["held"][st["message"]]
            try:
                if op == "ack":
                    c["ch"].basic_ack(tag)
                elif op == "nack":
                    c["ch"].basic_nack(tag, requeue=st["requeue"])
                else:
                    c["ch"].basic_reject(tag, requeue=st["requeue"])
            except pika.exceptions.AMQPError as e:
                record["error"] = type(e).__name__
        elif op == "close":
            c = self.conns.pop(st["conn"])
            if c["conn"].is_open:
                c["conn"].close()
        elif op == "crash":
            for c in self.conns.values():
                c["dead"] = True
            self.server.crash()
            self.server.start()
            self.conns = {}
            self.pub = None
            self.patiently(self.declare_all)
        else:
            raise ValueError("unknown op %r" % op)
        self.wait(st.get("expect", 0))
        record["deliveries"] = self.log
        record["channel_closed"] = sorted(
            n for n, c in self.conns.items() if c["ch"].is_closed and n not in closed_before
        )
        self.log = []
        self.out["steps"].append(record)

    def run(self):
        self.declare_all(self.publisher())
        for st in self.s["steps"]:
            t = time.time()
            self.step(st)
            if os.environ.get("ORACLE_DEBUG"):
                print("%s %s %.2fs" % (self.s["name"], st["op"], time.time() - t), file=sys.stderr)
        # The end: close the consumers, then empty each queue in order.
        for c in self.conns.values():
            if c["conn"].is_open:
                c["conn"].close()
        self.conns = {}
        for q in self.s["queues"]:
            got = []
            empty_rounds = 0
            # A quorum queue returns a closed consumer's messages through
            # its log, a moment after the close: look until it stays empty.
            while empty_rounds < 2:
                method, props, body = self.patiently(
                    lambda ch: ch.basic_get(self.qname(q["name"]), auto_ack=True)
                )
                if method is None:
                    empty_rounds += 1
                    if empty_rounds < 2:
                        time.sleep(0.2 if q.get("type") == "quorum" else 0.05)
                    continue
                empty_rounds = 0
                got.append({"message": body.decode(), "redelivered": bool(method.redelivered)})
            self.out["end"][q["name"]] = got
        self.pub[0].close()
        return self.out


def main():
    with open(sys.argv[1]) as f:
        schedules = json.load(f)["schedules"]
    only = set(sys.argv[2:])
    server = RabbitServer(os.environ["FANOUT_RABBITMQ_SERVER"])
    results = []
    try:
        started = time.time()
        server.start()
        boot = time.time() - started
        for s in schedules:
            if only and s["name"] not in only:
                continue
            results.append(Run(server, s).run())
        print(json.dumps({"server_boot_seconds": round(boot, 1), "results": results}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
