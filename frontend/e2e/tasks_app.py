"""The Celery app of the Tasks view's browser test (tasks.test.mjs): the
kind the chapter's readers write, unchanged Celery pointed at Fanout's
Redis node (FANOUT_REDIS_URL) as broker and result backend.

`gate` holds a task in kombu's `unacked` hash (acks_late) until the test
creates a file, so the test can look at it there without racing the
worker; `flaky` retries once with a countdown.
"""

import os
import time

from celery import Celery

url = os.environ["FANOUT_REDIS_URL"]
app = Celery("tasks_app", broker=url, backend=url)
app.conf.broker_transport_options = {"visibility_timeout": 600}


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
