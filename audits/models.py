"""Self-audits 自查 with their findings and rectification 整改 (R36), and annual reports 年度报告 (R30–R32)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Organisation


class FindingKind(models.TextChoices):
    """Every kind of finding R36 names, with the rule it enforces in the label."""

    NO_ATTRIBUTE = "no_attribute", _("未确定公开属性")
    WITHHELD_REVIEW = "withheld_review", _("不予公开信息待年度复核")
    ART44_CLUSTER = "art44_cluster", _("多人申请同一信息，可转为主动公开（《条例》第四十四条）")
    LATE_PUBLICATION = "late_publication", _("未在规定时限内公开")
    NO_INTERPRETATION = "no_interpretation", _("政策性文件未解读")
    LATE_REPOST = "late_repost", _("转载上级政策滞后")
    OVERDUE_APPLICATION = "overdue_application", _("依申请公开逾期未答复（《条例》第三十三条）")
    STALE_CATALOGUE = "stale_catalogue", _("栏目更新不及时")
    EMPTY_CATALOGUE = "empty_catalogue", _("栏目无内容")
    CALENDAR_MISSING = "calendar_missing", _("下一年度工作日历未录入")


# Kinds that record something that happened (a late publication stays late): a later run that no longer finds one,
# because it left the audit window, does not close it; staff close it with the rectification they made.
HISTORICAL_KINDS = frozenset({FindingKind.LATE_PUBLICATION, FindingKind.LATE_REPOST})


class Severity(models.TextChoices):
    HIGH = "high", _("严重")
    MEDIUM = "medium", _("一般")
    LOW = "low", _("提示")


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class AuditRun(models.Model):
    """One self-audit: when, why, by whom, and what it found, counted when it ran (the report of the run)."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("每年 11 月定期自查")
        MANUAL = "manual", _("手动发起")

    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    audit_date = models.DateField(_("自查日期"))
    trigger = models.CharField(_("发起方式"), max_length=10, choices=Trigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("上次自查"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found = models.ManyToManyField("Finding", verbose_name=_("本次发现的问题"), blank=True, related_name="runs")
    # Counts as the run saw them: {"by_kind": {kind: n}, "by_org": [[org_id, name, n]], "new": n, "closed": n, ...}
    summary = models.JSONField(_("统计"), default=dict, blank=True)

    class Meta:
        verbose_name = _("自查")
        verbose_name_plural = _("自查记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return _("%(date)s 自查") % {"date": self.audit_date.strftime("%Y-%m-%d")}


class Finding(models.Model):
    """A problem a self-audit found, owned by an organisation, worked to a close: open → in progress → fixed, or
    accepted with a reason. ``key`` identifies the thing found (a document, a cluster, a year), so a later run finds
    the same row again instead of adding another."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        FIXED = "fixed", _("已整改")
        ACCEPTED = "accepted", _("说明理由后保留")

    ACTIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    kind = models.CharField(_("问题类型"), max_length=24, choices=FindingKind.choices)
    key = models.CharField(_("问题标识"), max_length=100, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("责任机构"), on_delete=models.PROTECT, related_name="audit_findings"
    )
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    title = models.CharField(_("问题"), max_length=300)
    detail = models.TextField(_("情况说明"), blank=True)
    evidence_url = models.CharField(_("证据链接"), max_length=300, blank=True)
    status = models.CharField(_("整改状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    status_note = models.TextField(_("整改措施或保留理由"), blank=True)
    first_found_at = models.DateTimeField(_("首次发现"), default=timezone.now)
    last_found_at = models.DateTimeField(_("最近一次发现"), default=timezone.now)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自查问题")
        verbose_name_plural = _("自查问题与整改")
        ordering = ["status", "organisation__sort_order", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_finding_per_kind_and_key")]
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class FindingEvent(models.Model):
    """One change of a finding: found, found again, started, fixed, accepted, closed by a run, reopened."""

    class Action(models.TextChoices):
        FOUND = "found", _("自查发现")
        STARTED = "started", _("开始整改")
        FIXED = "fixed", _("整改完成")
        ACCEPTED = "accepted", _("说明理由后保留")
        RESOLVED = "resolved", _("复查时问题已不存在")
        REOPENED = "reopened", _("复查时问题再次出现")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    run = models.ForeignKey(AuditRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("事项"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.get_action_display()}"


class AnnualReport(models.Model):
    """政府信息公开工作年度报告 of one organisation for one calendar year (R30–R32).

    Tables 二, 三 and 四 are computed from the records while the report is a draft; publishing stores them in
    ``data`` and from then on the report shows only what was published. A government's report covers the government
    and all organisations under it (本级政府及其部门); a department's covers itself.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("报告机构"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    overview = models.TextField(_("一、总体情况"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other_matters = models.TextField(
        _("六、其他需要报告的事项"),
        blank=True,
        help_text=_("信息处理费收取情况由系统根据申请记录自动列出，此处填写其他事项。"),
    )
    admin_fees_wan = models.DecimalField(
        _("行政事业性收费本年收费金额（万元）"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("《条例》第二十条第（八）项，填入表二；没有的填 0。"),
    )
    data = models.JSONField(_("发布时的统计数据"), default=dict, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("年度报告历史"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year", "organisation__sort_order", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_report_per_org_year")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        # Published numbers that do not add up cannot be stored, whatever the path (the publish service refuses
        # them first, naming the problem; this stops any other write).
        if self.status == self.Status.PUBLISHED:
            from audits.tables import invariant_problems  # the tables read other apps' models, loaded by now

            problems = invariant_problems(self.data)
            if problems:
                raise ValidationError(problems)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return _("%(org)s%(year)s年政府信息公开工作年度报告") % {"org": self.organisation.name, "year": self.year}

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def covers_subordinates(self) -> bool:
        return self.organisation.kind == Organisation.Kind.GOVERNMENT
