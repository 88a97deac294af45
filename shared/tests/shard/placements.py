"""Placements computed by the real programs Fanout's shard functions copy.

Run by shared/tests/shard_python.rs with the project's Python (FANOUT_PYTHON,
which has python-memcached 1.62 and pymemcache 4.0.0) and compared with the
Rust functions key by key. Prints one JSON object on stdout.

    placements.py SCHEME KEYS_FILE SERVER... [--counts N,N,...]

KEYS_FILE holds one key per line (UTF-8). SERVER is "host:port". For each N
in --counts (default: every count up to the number of servers) the first N
servers are used, and the output maps N to the list of server indices, one
per key:

    {"scheme": ..., "placements": {"3": [0, 2, 1, ...], ...}}

Schemes:
  chapter_alpha   the chapter's alpha_shard, verbatim (four servers only)
  chapter_hash    the chapter's hash_shard with % N (set PYTHONHASHSEED!)
  chapter_md5     the chapter's md5_shard with % N
  python_memcached  memcache.Client(servers)._get_server(key)
  pymemcache      pymemcache HashClient(servers)._get_client(key)
  libmemcached    libmemcached's ketama (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED)
                  through ctypes: memcached_generate_hash()
  raw_hash        hash(key) itself: {"hashes": [...]} (set PYTHONHASHSEED!)
  secret          the siphash keys of this process (_Py_HashSecret)

A scheme whose library is missing prints {"skip": "<reason>"} instead.
"""

import ctypes
import ctypes.util
import hashlib
import json
import sys


# --- the chapter's listing, verbatim except for the server count -------------

def alpha_shard(word):
    """Do a poor job of assigning data to servers by using first letters."""
    if word[0] < 'g':           # abcdef
        return 'server0'
    elif word[0] < 'n':         # ghijklm
        return 'server1'
    elif word[0] < 't':         # nopqrs
        return 'server2'
    else:                       # tuvwxyz
        return 'server3'


def hash_shard(word, n):
    """Assign data to servers using Python's built-in hash() function."""
    return 'server%d' % (hash(word) % n)


def md5_shard(word, n):
    """Assign data to servers using a public hash algorithm."""
    data = word.encode('utf-8')
    return 'server%d' % (hashlib.md5(data).digest()[-1] % n)


def index_of(name):
    return int(name[len('server'):])


# --- real clients -----------------------------------------------------------

def python_memcached(keys, servers):
    import memcache
    # _get_server() skips servers it cannot connect to; pretend all are up
    # so that the placement alone is measured.
    memcache._Host.connect = lambda self: 1
    client = memcache.Client(servers)
    order = [str(host) for host in client.servers]
    result = []
    for key in keys:
        host, _ = client._get_server(client._encode_key(key))
        result.append(order.index(str(host)))
    return result


def pymemcache(keys, servers):
    from pymemcache.client.hash import HashClient
    client = HashClient(servers, allow_unicode_keys=True)
    result = []
    for key in keys:
        host, port = client._get_client(key).server
        result.append(servers.index('%s:%s' % (host, port)))
    return result


def libmemcached(keys, servers):
    path = ctypes.util.find_library('memcached') or 'libmemcached.so.11'
    try:
        lib = ctypes.CDLL(path)
    except OSError as error:
        raise Skip('libmemcached is not installed (%s); apt install libmemcached11' % error)
    lib.memcached_create.restype = ctypes.c_void_p
    lib.memcached_create.argtypes = [ctypes.c_void_p]
    lib.memcached_behavior_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64]
    lib.memcached_server_add.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ushort]
    lib.memcached_generate_hash.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.memcached_generate_hash.restype = ctypes.c_uint32
    lib.memcached_free.argtypes = [ctypes.c_void_p]
    MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED = 16  # libmemcached-1.0/types/behavior.h
    memc = lib.memcached_create(None)
    assert lib.memcached_behavior_set(memc, MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1) == 0
    for server in servers:
        host, port = server.rsplit(':', 1)
        assert lib.memcached_server_add(memc, host.encode(), int(port)) == 0
    result = []
    for key in keys:
        data = key.encode('utf-8')
        result.append(lib.memcached_generate_hash(memc, data, len(data)))
    lib.memcached_free(memc)
    return result


class Skip(Exception):
    pass


def secret():
    class Secret(ctypes.Structure):
        _fields_ = [('k0', ctypes.c_uint64), ('k1', ctypes.c_uint64)]
    s = Secret.in_dll(ctypes.pythonapi, '_Py_HashSecret')
    return {'k0': s.k0, 'k1': s.k1, 'algorithm': sys.hash_info.algorithm}


def main(argv):
    scheme = argv[1]
    if scheme == 'secret':
        print(json.dumps(secret()))
        return
    keys_file, servers = argv[2], argv[3:]
    counts = list(range(1, len(servers) + 1))
    if '--counts' in servers:
        at = servers.index('--counts')
        counts = [int(n) for n in servers[at + 1].split(',')]
        servers = servers[:at]
    with open(keys_file, encoding='utf-8') as f:
        keys = f.read().split('\n')
    keys = [key for key in keys if key]
    if scheme == 'raw_hash':
        print(json.dumps({'hashes': [hash(key) for key in keys]}))
        return
    placements = {}
    for n in counts:
        first = servers[:n]
        if scheme == 'chapter_alpha':
            assert n == 4, 'the chapter wrote alpha_shard for four servers'
            placed = [index_of(alpha_shard(key)) for key in keys]
        elif scheme == 'chapter_hash':
            placed = [index_of(hash_shard(key, n)) for key in keys]
        elif scheme == 'chapter_md5':
            placed = [index_of(md5_shard(key, n)) for key in keys]
        elif scheme == 'python_memcached':
            placed = python_memcached(keys, first)
        elif scheme == 'pymemcache':
            placed = pymemcache(keys, first)
        elif scheme == 'libmemcached':
            placed = libmemcached(keys, first)
        else:
            raise SystemExit('unknown scheme %r' % scheme)
        placements[str(n)] = placed
    print(json.dumps({'scheme': scheme, 'placements': placements}))


if __name__ == '__main__':
    try:
        main(sys.argv)
    except Skip as reason:
        print(json.dumps({'skip': str(reason)}))
