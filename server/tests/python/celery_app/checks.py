"""The client side of the Celery test: each command prints one JSON line.

  checks.py basic             add.delay(2, 3), a retried task, a group
  checks.py slow JOURNAL S    sends slow(JOURNAL, S); prints its task id
  checks.py wait ID T         waits up to T seconds for task ID's result
"""

import json
import sys

from celery import group
from celery.result import AsyncResult

from tasks import add, app, flaky, slow


def main(argv):
    command = argv[1]
    if command == "basic":
        result = {
            "add": add.delay(2, 3).get(timeout=30),
            "retry": flaky.delay(2).get(timeout=30),
            "group": group(add.s(i, i) for i in range(5))().get(timeout=30),
        }
    elif command == "slow":
        result = {"id": slow.delay(argv[2], float(argv[3])).id}
    elif command == "wait":
        task = AsyncResult(argv[2], app=app)
        result = {"result": task.get(timeout=float(argv[3])), "state": task.state}
    else:
        raise SystemExit("unknown command " + command)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
