"""Ops jobs: notification retries, the outbox (run one message, drain the rest) and the reaper of stopped runs."""

from celery import shared_task

from ops.outbox import outbox_drain, outbox_pending, outbox_run
from ops.services import job_run, job_runs_interrupted, job_runs_reap, notification_deliver, notifications_retry


@shared_task
def retry_notifications() -> None:
    with job_run(name="notifications-retry") as run:
        sent = notifications_retry()
        run.summary = f"补发通知 {sent} 条"
        run.details = {"sent": sent}


@shared_task
def deliver_notification(notification_id: int) -> None:
    """The outbox side effect of ``notify_once``: send the mail unless it has been sent already."""
    notification_deliver(notification_id=notification_id)


@shared_task
def run_outbox_message(message_id: int) -> None:
    """Published after the write's commit; a message already done (by the drain, or a redelivery) is skipped."""
    outbox_run(message_id=message_id)


@shared_task
def drain_outbox() -> None:
    """Every minute: run outbox messages the broker did not deliver (it was down, or the publish was lost)."""
    # Only a drain that finds something leaves a JobRun row; an idle one every minute would bury the rest.
    if not outbox_pending().exists():
        return
    with job_run(name="outbox-drain") as run:
        outcomes = outbox_drain()
        run.summary = f"补做待办副作用 {outcomes['done']} 条，失败 {outcomes['failed']} 条"
        run.details = outcomes


@shared_task
def reap_job_runs() -> None:
    """Every few minutes: runs left "running" by a killed worker are marked failed, so they show as failed."""
    if not job_runs_interrupted().exists():
        return
    with job_run(name="jobs-reap") as run:
        reaped = job_runs_reap()
        run.summary = f"标记中断的任务 {len(reaped)} 个"
        run.details = {"reaped": reaped}
