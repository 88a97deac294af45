"""pyzmq PUSH -> PULL over loopback TCP, 100-byte messages: the reference
for the live broker's pair benchmark (server/benches/rooms_load.rs).

    python3 zmq_push_pull.py [MESSAGES]

Prints "N msg/s". The PULL binds, the PUSH connects, both in this process
(the sender in a thread), as in docs/design/zmq-semantics.md.
"""

import sys
import threading
import time

import zmq


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    ctx = zmq.Context()
    pull = ctx.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(zmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    payload = b"p" * 100
    # Let the connection complete before timing.
    push.send(b"hello")
    pull.recv()

    def sender():
        for _ in range(n):
            push.send(payload)

    start = time.perf_counter()
    thread = threading.Thread(target=sender)
    thread.start()
    for _ in range(n):
        pull.recv()
    elapsed = time.perf_counter() - start
    thread.join()
    print(f"pyzmq PUSH->PULL over TCP: {n} messages of 100 bytes in {elapsed:.2f} s = {n / elapsed:.0f} msg/s")
    push.close(linger=0)
    pull.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
