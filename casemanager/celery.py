"""The Celery application: configured from Django's settings (CELERY_*), tasks autodiscovered.

With no CELERY_BROKER_URL the settings make every task run eagerly in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemanager.settings")

app = Celery("casemanager")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
