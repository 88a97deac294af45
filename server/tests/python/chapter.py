"""Runs the chapter's compute_square program (chapter_listing.py, the
listing exactly as printed) against a Fanout cache node, and records the
node's hit and miss counters after each of its ten timed runs.

Usage: python chapter.py PORT
Prints one line per run: "run <i> hits <h> misses <m>" (cumulative).
"""
import os
import sys
import timeit

import memcache

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chapter_listing  # noqa: E402

port = int(sys.argv[1])
address = '127.0.0.1:%d' % port

# The listing connects to 127.0.0.1:11211; the test's node may listen
# elsewhere, so only the address is redirected.
RealClient = memcache.Client


class Client(RealClient):
    def __init__(self, servers, *args, **kwargs):
        servers = [address if s == '127.0.0.1:11211' else s for s in servers]
        super().__init__(servers, *args, **kwargs)


memcache.Client = Client
observer = RealClient([address])
real_timeit = timeit.timeit
runs = []


def counted_timeit(*args, **kwargs):
    seconds = real_timeit(*args, **kwargs)
    stats = dict(observer.get_stats()[0][1])
    runs.append((int(stats['get_hits']), int(stats['get_misses'])))
    return seconds


timeit.timeit = counted_timeit
chapter_listing.main()
for i, (hits, misses) in enumerate(runs, 1):
    print('run %d hits %d misses %d' % (i, hits, misses))
