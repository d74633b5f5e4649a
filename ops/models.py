"""What scheduled jobs did: one row per run, written by ``ops.services.job_run``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedJSONField


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    summary = models.TextField(_("结果摘要"), blank=True)
    details = models.JSONField(_("明细"), default=dict, blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message that must go out once: the unique ``key`` (e.g. ``calendar-missing:2027``) makes a second
    sweep, or a concurrent one, find the row instead of sending again."""

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    recipients = EncryptedJSONField(_("收件人"), default=list)  # applicants' e-mails: encrypted (core/crypto.py)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """A side effect of a committed write (index a document, send a mail), written in the write's transaction.

    The broker only hurries it along: it is published after commit when Redis answers, and the ``outbox-drain``
    job runs whatever is still pending otherwise. Running it locks the row and marks it done in the side effect's
    own transaction, so it happens exactly once however many times it is published or drained.
    """

    task = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办副作用")
        verbose_name_plural = _("待办副作用")
        ordering = ["created_at", "pk"]
        indexes = [
            # The drain reads only pending rows; done ones pile up and must not slow it down.
            models.Index(fields=["created_at"], condition=models.Q(done_at__isnull=True), name="ops_outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
