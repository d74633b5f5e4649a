"""The Celery application. Tasks live in each app's ``tasks.py``; the schedule is ``CELERY_BEAT_SCHEDULE``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")

app = Celery("govopen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
