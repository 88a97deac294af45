#!/usr/bin/env python3
"""Fanout's cache node beside real memcached, in the same run.

Starts memcached (-t 2) and `fanout serve` with one cache node (--cache-threads 2), both with
the same memory, then:
  1. throughput: memcaslap against each, alternating (memcached first in
     odd rounds, Fanout first in even ones), RUNS times at each
     concurrency (32 and 64 connections by default, as issue 18 asks);
     prints each run, the medians and the ratio Fanout / memcached, and
     the geometric mean of the per-round ratios with a 95 % bootstrap
     interval;
  2. memory: stores 1,000,000 items of 100 bytes in each and prints both
     resident sizes (and their ratio).

Usage: python3 server/benches/cache_vs_memcached.py [--fanout target/release/fanout]
       [--runs 5] [--seconds 5] [--concurrency 32,64] [--items 1000000] [--aa]
       [--together] [--baseline OTHER_FANOUT_BINARY]
--aa puts a second memcached where Fanout would be: the ratio it gets is
the method's own noise and bias on this machine.
--together loads both servers at the same time, each with its own
memcaslap, instead of one after the other: the machine's swings (a round
here runs up to 25 % faster or slower than the last, whichever server)
then hit both alike, and the per-round ratio says which server needs less CPU per
request, to about 1 % in eight rounds where the alternating runs scatter
by 8 %. Not issue 18's measure, which is the alternating one; the tool for
telling whether a change helps.
--baseline puts another Fanout build where memcached would be (with
--together: does this change help?).
Numbers are for docs/BENCHMARKS.md ("Cache nodes"); nothing asserts on them.
"""
import argparse
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(port):
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port)).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit('nothing listens on %d' % port)


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def start_memcaslap(port, seconds, concurrency):
    return subprocess.Popen(
        ['memcaslap', '-s', '127.0.0.1:%d' % port, '-T', '2', '-c', str(concurrency),
         '-t', '%ds' % seconds],
        stdout=subprocess.PIPE, text=True)


def memcaslap_tps(client):
    out = client.communicate()[0]
    tps = re.findall(r'TPS:\s*(\d+)', out)
    if client.returncode != 0 or not tps:
        sys.exit('no TPS in memcaslap output:\n' + out)
    return int(tps[-1])


def memcaslap(port, seconds, concurrency):
    return memcaslap_tps(start_memcaslap(port, seconds, concurrency))


def fill(port, items, size):
    """Stores `items` values of `size` bytes, pipelined, and waits for all."""
    value = b'v' * size
    with socket.create_connection(('127.0.0.1', port)) as s:
        batch = []
        for i in range(items):
            batch.append(b'set key:%08d 0 0 %d noreply\r\n%s\r\n' % (i, size, value))
            if len(batch) == 2000:
                s.sendall(b''.join(batch))
                batch = []
        batch.append(b'version\r\n')
        s.sendall(b''.join(batch))
        reply = b''
        while not reply.endswith(b'\r\n'):
            reply += s.recv(4096)
        s.sendall(b'stats\r\n')
        stats = b''
        while not stats.endswith(b'END\r\n'):
            stats += s.recv(65536)
    return int(re.search(rb'STAT curr_items (\d+)', stats).group(1))


def mean_ratio_interval(ratios, resamples=10000):
    """The geometric mean of the per-round ratios and a 95 % bootstrap
    interval for it (percentiles of the means of resampled rounds, with a
    fixed seed): how far the method can tell the two servers apart. The
    rounds swing by 20 % on this shared machine, so the median of one run
    moves by a few percent from run to run; the interval says by how much."""
    logs = [math.log(r) for r in ratios]
    draw = random.Random(18)
    means = sorted(
        statistics.fmean(draw.choices(logs, k=len(logs))) for _ in range(resamples))
    low, high = means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]
    return math.exp(statistics.fmean(logs)), math.exp(low), math.exp(high)


def label(args, name):
    """How a server is named in the output: with --aa, Fanout's place is
    memcached-2; with --baseline, memcached's place is the baseline build."""
    if args.aa and name == 'fanout':
        return 'memcached-2'
    if args.baseline and name == 'memcached':
        return 'baseline'
    return name


def start_memcached(args, port, user):
    """memcached with two worker threads and the same memory as Fanout's node
    (or, with --baseline, that Fanout build)."""
    if args.baseline:
        return start_fanout_binary(args, args.baseline, port)
    return subprocess.Popen(
        [args.memcached, '-l', '127.0.0.1', '-p', str(port), '-U', '0',
         '-m', str(args.memory), '-t', '2'] + user)


def start_fanout(args, port, user):
    """Fanout with one cache node on `port` (or, with --aa, a second memcached)."""
    if args.aa:
        return start_memcached(args, port, user)
    return start_fanout_binary(args, args.fanout, port)


def start_fanout_binary(args, binary, port):
    return subprocess.Popen(
        [binary, 'serve', '--http', '127.0.0.1:0', '--memcached', '127.0.0.1:%d' % port,
         '--cache-nodes', '1', '--cache-memory', str(args.memory), '--cache-threads', '2',
         '--redis', 'off'],
        stdout=subprocess.DEVNULL, env=dict(os.environ, RUST_LOG='warn'))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--fanout', default='target/release/fanout')
    parser.add_argument('--memcached', default='/usr/bin/memcached')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--seconds', type=int, default=5)
    parser.add_argument('--concurrency', default='32,64',
                        help='memcaslap -c values, comma-separated; each gets RUNS alternating runs')
    parser.add_argument('--items', type=int, default=1_000_000)
    parser.add_argument('--memory', type=int, default=1024, help='MiB for each server')
    parser.add_argument('--aa', action='store_true',
                        help='a second memcached in Fanout\'s place: the ratio an equal '
                             'server gets, i.e. the noise and bias of the method itself')
    parser.add_argument('--together', action='store_true',
                        help='load both servers at the same time, each with its own memcaslap')
    parser.add_argument('--baseline',
                        help='another Fanout binary in memcached\'s place')
    args = parser.parse_args()

    mc_port, fo_port = free_port(), free_port()
    user = ['-u', 'root'] if os.geteuid() == 0 else []
    memcached = start_memcached(args, mc_port, user)
    fanout = start_fanout(args, fo_port, user)
    try:
        wait_for(mc_port)
        wait_for(fo_port)
        for concurrency in [int(c) for c in args.concurrency.split(',')]:
            print('memcaslap -T 2 -c %d -t %ds, %d %s runs' % (
                concurrency, args.seconds, args.runs,
                'simultaneous' if args.together else 'alternating'))
            results = {'memcached': [], 'fanout': []}
            for run in range(args.runs):
                # Each round starts with the server the last one ended with
                # (memcached, Fanout, Fanout, memcached, ...): with a fixed
                # order the second server of every round scored 0.94-0.98
                # of the first even when both were memcached (--aa).
                order = [('memcached', mc_port), ('fanout', fo_port)]
                order = order if run % 2 == 0 else order[::-1]
                if args.together:
                    clients = [(name, start_memcaslap(port, args.seconds, concurrency))
                               for name, port in order]
                    measured = [(name, memcaslap_tps(client)) for name, client in clients]
                else:
                    measured = [(name, memcaslap(port, args.seconds, concurrency))
                                for name, port in order]
                for name, tps in measured:
                    results[name].append(tps)
                    print('  run %d %-11s %8d TPS' % (run + 1, label(args, name), tps),
                          flush=True)
            mc, fo = (statistics.median(results[n]) for n in ('memcached', 'fanout'))
            ratios = sorted(f / m for m, f in zip(results['memcached'], results['fanout']))
            base, other = label(args, 'memcached'), label(args, 'fanout')
            print('-c %d median TPS: %s %d, %s %d, ratio %s/%s %.2f '
                  '(per-round ratios %s)' % (
                      concurrency, base, mc, other, fo, other, base, fo / mc,
                      ', '.join('%.2f' % r for r in ratios)), flush=True)
            mean, low, high = mean_ratio_interval(ratios)
            print('-c %d per-round ratio: geometric mean %.3f, 95%% bootstrap interval '
                  '%.3f-%.3f' % (concurrency, mean, low, high), flush=True)

        if args.items == 0:
            return
        # Memory: fresh servers so that memcaslap's items do not count.
        for name, port in (('memcached', mc_port), ('fanout', fo_port)):
            with socket.create_connection(('127.0.0.1', port)) as s:
                s.sendall(b'flush_all\r\n')
                s.recv(100)
        memcached.kill(); fanout.kill()
        memcached.wait(); fanout.wait()
        mc_port, fo_port = free_port(), free_port()
        memcached = start_memcached(args, mc_port, user)
        fanout = start_fanout(args, fo_port, user)
        wait_for(mc_port)
        wait_for(fo_port)
        before = {'memcached': rss_kib(memcached.pid), 'fanout': rss_kib(fanout.pid)}
        rss = {}
        for name, port, proc in (('memcached', mc_port, memcached), ('fanout', fo_port, fanout)):
            stored = fill(port, args.items, 100)
            rss[name] = rss_kib(proc.pid)
            print('%-11s holds %d items of 100 bytes: RSS %.1f MiB (%.1f MiB when empty)' % (
                label(args, name), stored, rss[name] / 1024, before[name] / 1024))
        print('RSS ratio %s/%s %.2f' % (label(args, 'fanout'), label(args, 'memcached'),
                                        rss['fanout'] / rss['memcached']))
    finally:
        memcached.kill()
        fanout.kill()


if __name__ == '__main__':
    main()
