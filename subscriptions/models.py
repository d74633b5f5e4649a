"""E-mail subscriptions 信息订阅: a citizen follows an organisation, a catalogue item, a topic, a saved search or the
policy interpretations, confirms by a signed link (double opt-in) and gets a daily digest of what is new.

The address is personal data (个人信息保护法): it is stored encrypted (``core.crypto``), found and de-duplicated
by a keyed hash of its normalised form, and erased with the row when the subscriber unsubscribes. Nothing else
about the subscriber is kept.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedEmailField


class Subscription(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("机构")
        NODE = "node", _("目录事项")
        TOPIC = "topic", _("主题分类")
        SEARCH = "search", _("检索条件")
        INTERPRETATIONS = "interpretations", _("政策解读")

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    email = EncryptedEmailField(_("电子邮箱"), max_length=254)  # always encrypted (no setting_key)
    email_digest = models.CharField(_("邮箱摘要"), max_length=64, editable=False)  # keyed hash, for lookup only
    kind = models.CharField(_("订阅对象类型"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        "catalog.Organisation",
        verbose_name=_("机构"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    node = models.ForeignKey(
        "catalog.CatalogueNode",
        verbose_name=_("目录事项"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.ForeignKey(
        "catalog.Topic", verbose_name=_("主题分类"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    query = models.CharField(_("检索词"), max_length=100, blank=True)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    target_key = models.CharField(_("订阅对象"), max_length=100, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    nonce = models.CharField(max_length=32, editable=False)  # in every signed link: a new one voids the old links
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("确认邮件发送时间"), null=True, blank=True)
    digest_since = models.DateTimeField(_("下次摘要起算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email_digest", "target_key"], name="one_subscription_per_address_target"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="subscription_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class DigestMail(models.Model):
    """One digest of one subscription for one day (Asia/Shanghai): the unique constraint makes a second run of the
    job, or a concurrent one, find the row instead of sending again. The message is kept until it is sent, then
    its text is dropped (it names what the subscriber follows)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField(_("日期"))
    window_start = models.DateTimeField(_("起"))
    window_end = models.DateTimeField(_("止"))
    item_count = models.PositiveIntegerField(_("条数"))
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("订阅摘要邮件")
        verbose_name_plural = _("订阅摘要邮件")
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "day"], name="one_digest_per_subscription_day")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.day}"
