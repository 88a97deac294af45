"""Keys placed per second by the real Python programs the shard functions
reproduce: the reference for docs/BENCHMARKS.md, "Shard functions".

    target/python/bin/python shared/tests/shard/bench_python.py static/words.txt

Places every distinct lower-cased word of the list once per pass (fresh
string objects each pass), best of five passes, for 4 and 16 servers, and
prints keys per second.
"""

import hashlib
import sys
import time

import memcache
from pymemcache.client.rendezvous import RendezvousHash


def alpha_shard(word):
    if word[0] < 'g':
        return 'server0'
    elif word[0] < 'n':
        return 'server1'
    elif word[0] < 't':
        return 'server2'
    else:
        return 'server3'


def best_rate(place, keys, passes=5):
    best = float('inf')
    for _ in range(passes):
        # Fresh string objects each pass: CPython caches a str's hash on the
        # object, which would make every pass after the first a lookup.
        keys = [key.encode('utf-8').decode('utf-8') for key in keys]
        start = time.perf_counter()
        for key in keys:
            place(key)
        best = min(best, time.perf_counter() - start)
    return len(keys) / best


def main(path):
    with open(path, encoding='utf-8') as f:
        keys = list(dict.fromkeys(word.lower() for word in f.read().split()))
    for n in (4, 16):
        servers = ['10.0.0.%d:11211' % (i + 1) for i in range(n)]
        memcache._Host.connect = lambda self: 1
        mc = memcache.Client(servers)
        ring = RendezvousHash(nodes=list(servers))
        rows = [
            ("the chapter's alpha_shard (4 only)", alpha_shard if n == 4 else None),
            ("the chapter's hash_shard", lambda w: 'server%d' % (hash(w) % n)),
            ("the chapter's md5_shard", lambda w: 'server%d' % (hashlib.md5(w.encode('utf-8')).digest()[-1] % n)),
            ('python-memcached 1.62 _get_server', lambda w: mc._get_server(w.encode('utf-8'))),
            ('pymemcache 4.0 RendezvousHash.get_node', ring.get_node),
        ]
        for name, place in rows:
            if place is None:
                continue
            # pymemcache's pure-Python murmur3 is slow: time a tenth of the keys.
            subset = keys[::10] if 'pymemcache' in name else keys
            print('%2d servers  %-42s %12.0f keys/s' % (n, name, best_rate(place, subset)))


if __name__ == '__main__':
    main(sys.argv[1])
