"""The Celery app of the Tasks view's browser test (tasks.test.mjs): the
kind the chapter's readers write, unchanged Celery pointed at Fanout's
Redis node (FANOUT_REDIS_URL) as broker and result backend.

`gate` holds a task in kombu's `unacked` hash (acks_late) until the test
creates a file, so the test can look at it there without racing the
worker; `flaky` retries once with a countdown. FANOUT_VISIBILITY_TIMEOUT
(seconds, 600 unless set) is kombu's visibility timeout; the restore test
sets 2, and asks kombu to sweep `unacked` every second instead of its
default 10 s x 10.
"""

import os
import time

from celery import Celery

url = os.environ["FANOUT_REDIS_URL"]
app = Celery("tasks_app", broker=url, backend=url)
visibility = float(os.environ.get("FANOUT_VISIBILITY_TIMEOUT", "600"))
# The visibility timeout must be set in all three places (Celery's docs).
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
    """Fails `failures` times, retrying after a three-second countdown."""
    if self.request.retries < failures:
        raise self.retry(countdown=3)
    return "ok after %d retries" % self.request.retries


@app.task(acks_late=True)
def gate(path):
    """Waits until `path` exists (at most a minute), then returns."""
    for _ in range(600):
        if os.path.exists(path):
            return "opened"
        time.sleep(0.1)
    return "timed out"


@app.task(name="celery_tasks.add")
def example_add(x, y):
    """The example app's task (/clients/celery_tasks.py: module celery_tasks,
    function add) under its own name: the Tasks page's "send a task" sends
    that name, and this worker runs it as the example's worker would."""
    return x + y
