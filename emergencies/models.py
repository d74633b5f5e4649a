"""Emergency information 突发事件信息发布 (R19): the event, its two clocks, and the published updates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Organisation
from core.workflow import TransitionEvent


class Emergency(models.Model):
    class Level(models.TextChoices):
        PARTICULARLY_SERIOUS = "1", _("特别重大（Ⅰ级）")
        MAJOR = "2", _("重大（Ⅱ级）")
        LARGE = "3", _("较大（Ⅲ级）")
        GENERAL = "4", _("一般（Ⅳ级）")

    class Category(models.TextChoices):
        NATURAL = "natural", _("自然灾害")
        ACCIDENT = "accident", _("事故灾难")
        HEALTH = "health", _("公共卫生事件")
        SECURITY = "security", _("社会安全事件")

    class Status(models.TextChoices):
        OPEN = "open", _("处置中")
        CLOSED = "closed", _("已结束")

    # R19 applies its clocks to particularly serious and major events.
    CLOCK_LEVELS = (Level.PARTICULARLY_SERIOUS, Level.MAJOR)

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="emergencies"
    )
    title = models.CharField(_("事件名称"), max_length=200)
    level = models.CharField(_("事件级别"), max_length=1, choices=Level.choices)
    category = models.CharField(_("事件类别"), max_length=10, choices=Category.choices)
    location = models.CharField(_("发生地点"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("事发时间"))
    info_due_at = models.DateTimeField(_("权威信息发布时限"), null=True, blank=True, editable=False)
    press_due_at = models.DateTimeField(_("新闻发布会时限"), null=True, blank=True, editable=False)
    first_info_at = models.DateTimeField(_("首次权威发布时间"), null=True, blank=True, editable=False)
    press_held_at = models.DateTimeField(_("首场新闻发布会时间"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN, editable=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)
    history = HistoricalRecords(verbose_name=_("突发事件历史"))

    class Meta:
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def has_clocks(self) -> bool:
        return self.level in self.CLOCK_LEVELS


class EmergencyUpdate(models.Model):
    class Kind(models.TextChoices):
        AUTHORITATIVE = "info", _("权威信息发布")
        PROGRESS = "progress", _("进展通报")
        PRESS = "press", _("新闻发布会")
        RESPONSE = "response", _("回应关切")
        CLOSING = "closing", _("处置结束")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    emergency = models.ForeignKey(
        Emergency, verbose_name=_("突发事件"), on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"))
    body_text = models.TextField(_("内容纯文本"), blank=True, editable=False)
    held_at = models.DateTimeField(_("发布会举行时间"), null=True, blank=True, help_text=_("类型为新闻发布会时必填。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰稿人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    publisher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    history = HistoricalRecords(verbose_name=_("发布信息历史"), excluded_fields=["body_text"])

    class Meta:
        verbose_name = _("事件发布信息")
        verbose_name_plural = _("事件发布信息")
        ordering = ["published_at", "created_at"]
        indexes = [models.Index(fields=["emergency", "status", "published_at"])]

    def __str__(self) -> str:
        return self.title


class EmergencyEvent(TransitionEvent):
    """The transitions of an emergency and its updates (R19): registered, an update drafted or published, closed.
    ``update`` names the update a step was about."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("登记事件")
        DRAFTED = "drafted", _("起草发布信息")
        PUBLISHED = "published", _("发布信息")
        CLOSED = "closed", _("事件结束")

    emergency = models.ForeignKey(
        Emergency, verbose_name=_("突发事件"), on_delete=models.CASCADE, related_name="events"
    )
    update = models.ForeignKey(
        EmergencyUpdate,
        verbose_name=_("发布信息"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Emergency.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Emergency.Status.choices, blank=True)

    class Meta:
        verbose_name = _("突发事件操作记录")
        verbose_name_plural = _("突发事件操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.emergency} {self.get_action_display()}"
