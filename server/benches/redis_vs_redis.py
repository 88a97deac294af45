#!/usr/bin/env python3
"""Fanout's Redis node beside real redis-server, in the same run.

Starts Debian's redis-server (no persistence) and `fanout serve` with its
Redis node, then runs `redis-benchmark -t set,get,lpush,lpop` (Debian's
redis-tools) against each in turn, ROUNDS times, alternating, and prints
each round, the medians per command and the ratio Fanout / Redis.

Usage: python3 server/benches/redis_vs_redis.py [--fanout target/release/fanout]
       [--rounds 5] [--requests 100000] [--clients 50] [--pipeline 1]
"""

import argparse
import csv
import io
import os
import socket
import statistics
import subprocess
import time

TESTS = ["SET", "GET", "LPUSH", "LPOP"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port):
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nothing listens on port %d" % port)


def bench(port, args):
    out = subprocess.run(
        [args.benchmark, "-h", "127.0.0.1", "-p", str(port), "-t", "set,get,lpush,lpop",
         "-n", str(args.requests), "-c", str(args.clients), "-P", str(args.pipeline),
         "-q", "--csv"],
        check=True, capture_output=True, text=True).stdout
    rows = csv.reader(io.StringIO(out))
    result = {}
    for row in rows:
        if row and row[0] in TESTS:
            result[row[0]] = float(row[1])
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fanout", default="target/release/fanout")
    parser.add_argument("--redis-server", default="/usr/bin/redis-server")
    parser.add_argument("--benchmark", default="/usr/bin/redis-benchmark")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pipeline", type=int, default=1)
    args = parser.parse_args()

    redis_port, fanout_port = free_port(), free_port()
    redis = subprocess.Popen(
        [args.redis_server, "--port", str(redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL)
    fanout = subprocess.Popen(
        [args.fanout, "serve", "--http", "127.0.0.1:0", "--memcached", "127.0.0.1:0",
         "--cache-nodes", "0", "--redis", "127.0.0.1:%d" % fanout_port,
         "--redis-memory", "1024"],
        stdout=subprocess.DEVNULL, env=dict(os.environ, RUST_LOG="warn"))
    try:
        wait_for(redis_port)
        wait_for(fanout_port)
        results = {"redis": [], "fanout": []}
        for round_ in range(args.rounds):
            for name, port in (("redis", redis_port), ("fanout", fanout_port)):
                got = bench(port, args)
                results[name].append(got)
                print("round %d %-6s %s" % (round_ + 1, name,
                      "  ".join("%s %.0f" % (t, got[t]) for t in TESTS)), flush=True)
        print("load average after: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
        print("| command | redis-server median req/s | Fanout median req/s | Fanout / Redis |")
        print("|---|---|---|---|")
        for test in TESTS:
            r = statistics.median(run[test] for run in results["redis"])
            f = statistics.median(run[test] for run in results["fanout"])
            print("| %s | %.0f | %.0f | %.2f |" % (test, r, f, f / r))
    finally:
        redis.kill()
        fanout.kill()


if __name__ == "__main__":
    main()
