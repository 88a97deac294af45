"""redis-py (pinned in xtask/python-requirements.txt) against Fanout's Redis
node, in both protocols: what Celery's libraries use it for, and a little
more. Run by server/tests/redis_node.rs as `redis_py_checks.py HOST PORT`;
prints one line per protocol and fails with an assertion otherwise.
"""

import sys
import threading
import time

import redis


def run(host, port, protocol):
    r = redis.Redis(host=host, port=port, protocol=protocol, db=3)
    assert r.ping() is True
    r.flushdb()
    # Strings, expiry.
    assert r.set("greeting", "hello") is True
    assert r.get("greeting") == b"hello"
    assert r.set("greeting", "again", nx=True) is None
    assert r.set("result", "done", ex=30) is True
    assert 0 < r.ttl("result") <= 30
    assert r.incr("counter") == 1 and r.incrby("counter", 41) == 42
    assert r.mget(["greeting", "missing", "counter"]) == [b"hello", None, b"42"]
    # Lists and a blocking pop served by another client's push.
    r.rpush("queue", "a", "b")
    assert r.lrange("queue", 0, -1) == [b"a", b"b"]
    assert list(r.brpop(["empty", "queue"], timeout=1)) == [b"queue", b"b"]
    assert r.blpop(["nothing"], timeout=0.1) is None
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(redis.Redis(host=host, port=port, protocol=protocol, db=3)
                                  .brpop(["jobs"], timeout=5)))
    waiter.start()
    time.sleep(0.2)
    r.lpush("jobs", "task-1")
    waiter.join()
    assert [list(pair) for pair in got] == [[b"jobs", b"task-1"]], got
    # Hashes, sets, sorted sets (kombu's unacked bookkeeping).
    r.hset("unacked", mapping={"tag1": "m1", "tag2": "m2"})
    assert r.hgetall("unacked") == {b"tag1": b"m1", b"tag2": b"m2"}
    assert r.hdel("unacked", "tag1") == 1
    r.sadd("bindings", "celery")
    assert r.smembers("bindings") == {b"celery"}
    r.zadd("unacked_index", {"tag2": 1700000000.25, "tag3": 1700000100.5})
    found = r.zrevrangebyscore("unacked_index", 1700000050, 0, withscores=True)
    assert [list(pair) for pair in found] == [[b"tag2", 1700000000.25]], found
    assert r.zscore("unacked_index", "tag3") == 1700000100.5
    # A transaction with WATCH, as kombu restores a task.
    with r.pipeline() as pipe:
        pipe.watch("unacked")
        assert pipe.hget("unacked", "tag2") == b"m2"
        pipe.multi()
        pipe.hdel("unacked", "tag2")
        pipe.rpush("celery", "m2")
        assert pipe.execute() == [1, 1]
    # The same, failing because another client touched the key.
    other = redis.Redis(host=host, port=port, protocol=protocol, db=3)
    with r.pipeline() as pipe:
        pipe.watch("celery")
        other.rpush("celery", "intruder")
        pipe.multi()
        pipe.lpop("celery")
        try:
            pipe.execute()
            raise AssertionError("EXEC should have failed")
        except redis.WatchError:
            pass
    # redis-py's Lock: SET NX PX, then its Lua release script by EVALSHA.
    lock = r.lock("mutex", timeout=5)
    assert lock.acquire(blocking=False)
    assert not r.lock("mutex", timeout=5).acquire(blocking=False)
    assert lock.extend(5)
    lock.release()
    assert r.get("mutex") is None
    # Publish/subscribe with a channel and a pattern.
    pubsub = r.pubsub()
    pubsub.subscribe("celery-task-meta-1")
    pubsub.psubscribe("/0.celeryev/*")
    for _ in range(2):
        assert pubsub.get_message(timeout=1)["type"] in ("subscribe", "psubscribe")
    assert other.publish("celery-task-meta-1", "SUCCESS") == 1
    assert other.publish("/0.celeryev/worker.heartbeat", "beat") == 1
    message = pubsub.get_message(timeout=1)
    assert message["type"] == "message" and message["data"] == b"SUCCESS", message
    message = pubsub.get_message(timeout=1)
    assert message["type"] == "pmessage" and message["channel"] == b"/0.celeryev/worker.heartbeat", message
    pubsub.close()
    # Errors arrive as redis-py's exception classes.
    try:
        r.lpush("greeting", "x")
        raise AssertionError("WRONGTYPE expected")
    except redis.ResponseError as error:
        assert str(error).startswith("WRONGTYPE"), error
    try:
        r.evalsha("0" * 40, 0)
        raise AssertionError("NOSCRIPT expected")
    except redis.exceptions.NoScriptError:
        pass
    assert r.info("server")["redis_version"] == "7.0.15"
    print("redis-py protocol %d: all checks passed" % protocol, flush=True)


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    for protocol in (3, 2):
        run(host, port, protocol)
