"""Without a broker, tasks run eagerly in-process."""

from casemanager.celery import app


@app.task
def double_task(number: int) -> int:
    return number * 2


def test_tasks_run_eagerly_without_a_broker(settings):
    assert settings.CELERY_BROKER_URL == ""
    assert app.conf.task_always_eager is True
    assert double_task.delay(21).get(timeout=1) == 42


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_is_lost():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
