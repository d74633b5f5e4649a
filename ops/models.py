"""What scheduled jobs did: one row per run, written by ``ops.services.job_run``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    recipients = models.JSONField(_("收件人"), default=list)
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
