"""Organisations 机构 with their staff roles, and the working-day calendar 工作日历 (R1–R2)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.roles import Role

CALENDAR_MIN_YEAR = 2000
CALENDAR_MAX_YEAR = 2099


class Organisation(models.Model):
    """A government or one of its departments. ``code`` is the prefix of every 索引号 it issues (R12)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        DEPARTMENT = "department", _("政府工作部门")
        OTHER = "other", _("其他单位")

    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(
        _("机构代码"),
        max_length=30,
        unique=True,
        help_text=_("用于生成索引号，例如 11330100002482380T；只能包含字母、数字和连字符。"),
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", _("机构代码只能包含字母、数字和连字符。"))],
    )
    kind = models.CharField(_("机构类型"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    # R38: what the 政府信息公开指南 must tell about the office that receives applications.
    office_name = models.CharField(_("政府信息公开工作机构"), max_length=100, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    postcode = models.CharField(
        _("邮政编码"), max_length=6, blank=True, validators=[RegexValidator(r"^\d{6}$", _("邮政编码应为 6 位数字。"))]
    )
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    fax = models.CharField(_("传真"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    website = models.URLField(_("网站"), blank=True)
    history = HistoricalRecords(verbose_name=_("机构历史"))

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["sort_order", "name"]
        permissions = [
            ("act_as_drafter", _("拟稿人：起草本机构的信息")),
            ("act_as_reviewer", _("审核人：审核本机构信息的公开属性")),
            ("act_as_handler", _("申请承办人：办理本机构的依申请公开")),
            ("oversee_disclosure", _("政务公开办：监督全部机构")),
            ("approve_extension", _("政务公开办负责人：批准延期答复")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级机构不能是本机构或其下级机构。")})
            ancestor = ancestor.parent

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class RoleGroup(models.Model):
    """The group that carries one role's object permission on one organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(_("岗位"), max_length=12, choices=Role.choices)
    group = models.OneToOneField(Group, verbose_name=_("用户组"), on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        verbose_name = _("岗位用户组")
        verbose_name_plural = _("岗位用户组")
        constraints = [models.UniqueConstraint(fields=["organisation", "role"], name="one_group_per_org_role")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"


class RoleEvent(models.Model):
    """Who granted or revoked which role, for whom, and when (simple-history does not follow group membership)."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("授予")
        REVOKED = "revoked", _("撤销")

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="role_events"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("岗位"), max_length=12)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)

    class Meta:
        verbose_name = _("岗位变更记录")
        verbose_name_plural = _("岗位变更记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.user} {self.role}"


class WorkCalendarYear(models.Model):
    """One year of the official holiday arrangement (R1). A year without a row is computed provisionally (R2)."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 数据包")
        MANUAL = "manual", _("人工录入")

    year = models.PositiveSmallIntegerField(
        _("年度"),
        unique=True,
        validators=[MinValueValidator(CALENDAR_MIN_YEAR), MaxValueValidator(CALENDAR_MAX_YEAR)],
    )
    source = models.CharField(_("数据来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    notice_number = models.CharField(
        _("通知文号"), max_length=60, blank=True, help_text=_("国务院办公厅关于该年部分节假日安排的通知的文号。")
    )
    notice_title = models.CharField(_("通知标题"), max_length=200, blank=True)
    notice_published_on = models.DateField(_("通知发布日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("工作日历历史"))

    class Meta:
        verbose_name = _("年度工作日历")
        verbose_name_plural = _("年度工作日历")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年工作日历"


class CalendarDay(models.Model):
    """A public holiday, or a make-up working day on a weekend (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        MAKEUP_WORKDAY = "workday", _("调休上班")

    calendar = models.ForeignKey(
        WorkCalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=60, blank=True)
    history = HistoricalRecords(verbose_name=_("日历日期历史"))

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.date is None:
            return
        if self.calendar_id and self.date.year != self.calendar.year:
            raise ValidationError({"date": _("日期不在 %(year)s 年内。") % {"year": self.calendar.year}})
        if self.kind == self.Kind.MAKEUP_WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"date": _("调休上班日必须是周六或周日；周一至周五本来就是工作日。")})


def weekday_label(day: dt.date) -> str:
    return "一二三四五六日"[day.weekday()]
