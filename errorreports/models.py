"""我为政府网站找错: a citizen's report of an error on this site, the office's acknowledgement and public answer, and
one event row per transition (政府网站发展指引, 国办发〔2017〕47号)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Organisation
from core.crypto import EncryptedCharField, EncryptedEmailField
from requests_app.models import TRACKING_ALPHABET

# The reporter's contact, kept out of the history table (as an applicant's is): a history row would hold it beyond
# the reach of the encryption and of its key rotation.
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
DESCRIPTION_MAX = 1000
ANSWER_MAX = 2000
PAGE_URL_MAX = 500
CODE_PREFIX = "JC"
# The open statuses, spelled out for the partial index (ErrorReport.OPEN_STATUSES is defined in the class).
OPEN = ["received", "acknowledged"]


def new_tracking_code() -> str:
    """``JC2026-ABCD-EFGH-JKLM``: 60 random bits from an alphabet without look-alikes, so it is read aloud and typed
    without mistakes and cannot be guessed within the lookup's per-address brake."""
    body = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
    return f"{CODE_PREFIX}{timezone.localdate():%Y}-{body[:4]}-{body[4:8]}-{body[8:]}"


class ErrorReport(models.Model):
    class Kind(models.TextChoices):
        TYPO = "typo", _("错别字")
        BROKEN_LINK = "broken_link", _("链接失效/无法访问")
        WRONG_CONTENT = "wrong_content", _("内容错误")
        OUTDATED = "outdated", _("信息过时")
        DISPLAY = "display", _("页面显示问题")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        RECEIVED = "received", _("待确认")
        ACKNOWLEDGED = "acknowledged", _("处理中")
        ANSWERED = "answered", _("已答复")
        DECLINED = "declined", _("不予处理")

    OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED)

    tracking_code = models.CharField(_("查询码"), max_length=24, unique=True, default=new_tracking_code, editable=False)
    # A path of this site with its query ("/documents/A001/2026-00001/"); full URLs of the site are stored as paths.
    page_url = models.CharField(_("出错页面"), max_length=PAGE_URL_MAX)
    # The organisation whose page it is (a document, guide, catalogue or organisation page), when the path says so:
    # its staff read the report to correct the content; the office handles it.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("页面所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="error_reports",
        editable=False,
    )
    kind = models.CharField(_("错误类型"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("问题描述"), max_length=DESCRIPTION_MAX)
    # PIPL Art 28: encrypted at rest like an applicant's contact (core/crypto.py); the code reads plaintext. The
    # name always; phone and e-mail as GOVOPEN_ENCRYPTED_FIELDS says (all by default).
    contact_name = EncryptedCharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True, setting_key="phone")
    contact_email = EncryptedEmailField(_("电子邮箱"), blank=True, setting_key="email")

    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, editable=False)
    # Computed once at receipt from the working-day calendar (errorreports.services.report_deadlines) and kept, so the
    # queue sorts by them; only a newly loaded calendar year moves them (the sweep, for provisional ones).
    ack_due_at = models.DateTimeField(_("确认期限"), editable=False)
    answer_due_at = models.DateTimeField(_("答复期限"), editable=False)
    due_provisional = models.BooleanField(_("期限含暂定日历"), default=False, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED, editable=False)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # The public answer (已答复), or the reason shown to the reporter (不予处理).
    answer = models.TextField(_("答复内容"), max_length=ANSWER_MAX, blank=True, editable=False)
    history = HistoricalRecords(verbose_name=_("找错留言历史"), excluded_fields=list(CONTACT_FIELDS))

    class Meta:
        verbose_name = _("找错留言")
        verbose_name_plural = _("找错留言")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "answer_due_at"], name="errorreport_queue"),
            models.Index(fields=["ack_due_at"], condition=models.Q(status="received"), name="errorreport_ack_due"),
            models.Index(fields=["answer_due_at"], condition=models.Q(status__in=OPEN), name="errorreport_open_due"),
            models.Index(
                fields=["-answered_at", "-id"], condition=models.Q(status="answered"), name="errorreport_answered"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)

    @property
    def next_due_at(self) -> dt.datetime | None:
        """The deadline the office works against now: acknowledgement while unconfirmed, then the answer."""
        if self.status == self.Status.RECEIVED:
            return self.ack_due_at
        if self.status == self.Status.ACKNOWLEDGED:
            return self.answer_due_at
        return None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        due = self.next_due_at
        return due is not None and (now or timezone.now()) > due


class ErrorReportEvent(models.Model):
    """One row per transition (who, when, from, to, note): the timeline on the staff page and, without names, on
    the reporter's page."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("收到留言")
        ACKNOWLEDGED = "acknowledged", _("确认收到")
        ANSWERED = "answered", _("答复")
        DECLINED = "declined", _("不予处理")

    report = models.ForeignKey(ErrorReport, verbose_name=_("找错留言"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("事项"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ErrorReport.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ErrorReport.Status.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("找错留言办理记录")
        verbose_name_plural = _("找错留言办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report.tracking_code} {self.get_action_display()}"
