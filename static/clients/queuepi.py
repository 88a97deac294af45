# The chapter's Monte Carlo pi system (ZeroMQ: PUB/SUB, REQ/REP, PUSH/PULL),
# served by Fanout so its functions can join a live room as real processes.
# The listing is the chapter's, verbatim, except main(), which runs only the
# functions named on the command line (all five when none is named), so the
# ones a room runs are not started here to bind ports the room holds
# (docs/queuepi.md). Run one function against a room, e.g.:
#   python3 -c "import zmq, queuepi; queuepi.judge(zmq.Context(), 'tcp://127.0.0.1:6700', 'tcp://127.0.0.1:6701', 'tcp://127.0.0.1:6702')"
# or several: python3 queuepi.py always_yes judge
import random, threading, time, zmq
B = 32  # number of bits of precision in each random integer

def ones_and_zeros(digits):
    """Express `n` in at least `d` binary digits, with no special prefix."""
    return bin(random.getrandbits(digits)).lstrip('0b').zfill(digits)

def bitsource(zcontext, url):
    """Produce random points in the unit square."""
    zsock = zcontext.socket(zmq.PUB)
    zsock.bind(url)
    while True:
        zsock.send_string(ones_and_zeros(B * 2))
        time.sleep(0.01)

def always_yes(zcontext, in_url, out_url):
    """Coordinates in the lower-left quadrant are inside the unit circle."""
    isock = zcontext.socket(zmq.SUB)
    isock.connect(in_url)
    isock.setsockopt(zmq.SUBSCRIBE, b'00')
    osock = zcontext.socket(zmq.PUSH)
    osock.connect(out_url)
    while True:
        isock.recv_string()
        osock.send_string('Y')

def judge(zcontext, in_url, pythagoras_url, out_url):
    """Determine whether each input coordinate is inside the unit circle."""
    isock = zcontext.socket(zmq.SUB)
    isock.connect(in_url)
    for prefix in b'01', b'10', b'11':
        isock.setsockopt(zmq.SUBSCRIBE, prefix)
    psock = zcontext.socket(zmq.REQ)
    psock.connect(pythagoras_url)
    osock = zcontext.socket(zmq.PUSH)
    osock.connect(out_url)
    unit = 2 ** (B * 2)
    while True:
        bits = isock.recv_string()
        n, m = int(bits[::2], 2), int(bits[1::2], 2)
        psock.send_json((n, m))
        sumsquares = psock.recv_json()
        osock.send_string('Y' if sumsquares < unit else 'N')

def pythagoras(zcontext, url):
    """Return the sum-of-squares of number sequences."""
    zsock = zcontext.socket(zmq.REP)
    zsock.bind(url)
    while True:
        numbers = zsock.recv_json()
        zsock.send_json(sum(n * n for n in numbers))

def tally(zcontext, url):
    """Tally how many points fall within the unit circle, and print pi."""
    zsock = zcontext.socket(zmq.PULL)
    zsock.bind(url)
    p = q = 0
    while True:
        decision = zsock.recv_string()
        q += 1
        if decision == 'Y':
            p += 4
        print(decision, p / q)

def start_thread(function, *args):
    thread = threading.Thread(target=function, args=args)
    thread.daemon = True  # so you can easily Ctrl-C the whole program
    thread.start()

def main(zcontext):
    pubsub = 'tcp://127.0.0.1:6700'
    reqrep = 'tcp://127.0.0.1:6701'
    pushpull = 'tcp://127.0.0.1:6702'
    import sys  # Fanout: which functions to run (all five by default)
    chosen = set(sys.argv[1:]) or {'bitsource', 'always_yes', 'judge', 'pythagoras', 'tally'}
    if 'bitsource' in chosen: start_thread(bitsource, zcontext, pubsub)
    if 'always_yes' in chosen: start_thread(always_yes, zcontext, pubsub, pushpull)
    if 'judge' in chosen: start_thread(judge, zcontext, pubsub, reqrep, pushpull)
    if 'pythagoras' in chosen: start_thread(pythagoras, zcontext, reqrep)
    if 'tally' in chosen: start_thread(tally, zcontext, pushpull)
    time.sleep(30)

if __name__ == '__main__':
    main(zmq.Context())
