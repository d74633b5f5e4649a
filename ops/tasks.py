from celery import shared_task

from ops.services import job_run, notifications_retry


@shared_task
def retry_notifications() -> None:
    with job_run(name="notifications-retry") as run:
        sent = notifications_retry()
        run.summary = f"补发通知 {sent} 条"
        run.details = {"sent": sent}
