"""The Celery application: configured from Django's settings (CELERY_*), tasks autodiscovered.

With no CELERY_BROKER_URL the settings make every task run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemanager.settings")

# DjangoTask adds delay_on_commit: enqueue only after the request's transaction commits.
app = Celery("casemanager", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
