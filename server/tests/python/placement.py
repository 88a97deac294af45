"""Stores keys through python-memcached with several servers, so the test
can check that each key landed on the node python-memcached's crc32 scheme
picks. Usage: python placement.py COUNT ADDR [ADDR ...]"""
import sys

import memcache

count = int(sys.argv[1])
client = memcache.Client(sys.argv[2:])
for i in range(count):
    key = 'word:%d' % i
    if not client.set(key, i):
        sys.exit('set %s failed' % key)
print('stored', count)
