# The chapter's last word, live: a task queue through Celery's friendly API,
# with Fanout as its Redis (broker and result backend). In two terminals:
#   celery -A celery_tasks worker --pool solo
#   python3 -c "from celery_tasks import add; print(add.delay(2, 3).get(timeout=10))"
from celery import Celery

app = Celery("celery_tasks", broker="redis://127.0.0.1:6379/0", backend="redis://127.0.0.1:6379/0")


@app.task
def add(x, y):
    return x + y
