"""A Celery app of the kind the chapter's readers write, pointed at Fanout
as its Redis (broker and result backend). The Rust test
server/tests/redis_celery.rs starts its workers with
`celery -A tasks worker --pool solo` and drives it with checks.py.

FANOUT_REDIS_URL names the node; FANOUT_VISIBILITY_TIMEOUT (seconds) is
kept short so that a task whose worker died comes back within the test.
"""

import os
import time

from celery import Celery

url = os.environ["FANOUT_REDIS_URL"]
visibility = float(os.environ.get("FANOUT_VISIBILITY_TIMEOUT", "2"))

app = Celery("tasks", broker=url, backend=url)
# The visibility timeout must be set in all three places (Celery's docs);
# kombu's restore sweep runs every second so the test need not wait its
# default 10 s x 10.
app.conf.broker_transport_options = {
    "visibility_timeout": visibility,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.conf.result_backend_transport_options = {"visibility_timeout": visibility}
app.conf.visibility_timeout = visibility


@app.task
def add(x, y):
    return x + y


@app.task(bind=True, max_retries=3)
def flaky(self, failures):
    """Fails `failures` times, retrying after a one-second countdown."""
    if self.request.retries < failures:
        raise self.retry(countdown=1)
    return "ok after %d retries" % self.request.retries


@app.task(acks_late=True)
def slow(journal, seconds):
    """Writes 'start <pid>' to `journal`, sleeps, then 'done <pid>'."""
    with open(journal, "a") as f:
        f.write("start %d\n" % os.getpid())
    time.sleep(seconds)
    with open(journal, "a") as f:
        f.write("done %d\n" % os.getpid())
    return "slept"
