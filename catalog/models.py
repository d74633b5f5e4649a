"""Organisations 机构 with their staff roles, and the working-day calendar 工作日历 (R1–R2)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.roles import Role

CALENDAR_MIN_YEAR = 2000
CALENDAR_MAX_YEAR = 2099


# Who discloses and receives applications (公开主体 and 受理机关): administrative organs — governments and their
# departments — and the organisations a law or regulation authorises (Art 54), never an internal office (处室),
# which may only lead a catalogue item of its organisation (牵头处室).
DISCLOSURE_SUBJECT = Q(kind__in=["government", "department"]) | Q(kind="other", authorised=True)


class Organisation(models.Model):
    """A government or one of its departments. ``code`` is the prefix of every 索引号 it issues (R12)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        DEPARTMENT = "department", _("政府工作部门")
        INTERNAL = "internal", _("内设机构（处室）")
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
    authorised = models.BooleanField(
        _("法律、法规授权的组织"),
        default=False,
        help_text=_(
            "仅对“其他单位”有效：法律、法规授权的具有管理公共事务职能的组织（《条例》第五十四条）是政府信息公开主体，"
            "有自己的公开指南和目录，受理公开申请。内设机构（处室）不是公开主体，只能作为目录事项的牵头处室。"
        ),
    )
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
    # What a reply letter 答复书 must carry (Art 36; 行政复议法 2023 Art 20, 23, 24; 行政诉讼法 Art 18, 46): its own
    # 文号 and the bodies the applicant can turn to, named, not "有关机关".
    letter_code = models.CharField(
        _("答复书文号代字"),
        max_length=20,
        blank=True,
        help_text=_("答复书文号中年份前的部分，例如“甲城管依公开”，文号即为“甲城管依公开〔2025〕3号”。"),
        validators=[RegexValidator(r"^[^\s〔〕\[\]()（）]+$", _("文号代字不能包含空格或括号，年份和序号由系统生成。"))],
    )
    review_body = models.CharField(
        _("行政复议机关"),
        max_length=100,
        blank=True,
        help_text=_("申请人不服答复时可以申请行政复议的机关全称，例如“甲市人民政府”。"),
    )
    court = models.CharField(
        _("管辖法院"),
        max_length=100,
        blank=True,
        help_text=_("申请人可以提起行政诉讼的人民法院全称，例如“甲市中山区人民法院”。"),
    )
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
        if self.authorised and self.kind != self.Kind.OTHER:
            raise ValidationError({"authorised": _("只有“其他单位”可以标记为法律、法规授权的组织。")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级机构不能是本机构或其下级机构。")})
            ancestor = ancestor.parent

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_disclosure_subject(self) -> bool:
        """A 公开主体 (and 受理机关): see ``DISCLOSURE_SUBJECT``."""
        return self.kind in (self.Kind.GOVERNMENT, self.Kind.DEPARTMENT) or (
            self.kind == self.Kind.OTHER and self.authorised
        )

    @property
    def letter_settings_missing(self) -> list[str]:
        """The labels of what a formal reply letter needs and this organisation has not filled in yet."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in ("letter_code", "review_body", "court")
            if not getattr(self, name).strip()
        ]


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
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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


# --- The five-disclosure catalogue 五公开目录 (R33–R35, R37) -------------------------------------------------------


class Section(models.TextChoices):
    """The top level of every catalogue: the five disclosures, key areas, and Art 20's statutory content (R33)."""

    DECISION = "decision", _("决策公开")
    EXECUTION = "execution", _("执行公开")
    MANAGEMENT = "management", _("管理公开")
    SERVICE = "service", _("服务公开")
    RESULT = "result", _("结果公开")
    KEY_AREA = "key_area", _("重点领域信息公开")
    STATUTORY = "statutory", _("法定主动公开内容")


FIVE_DISCLOSURES = [Section.DECISION, Section.EXECUTION, Section.MANAGEMENT, Section.SERVICE, Section.RESULT]


class StatutoryClass(models.IntegerChoices):
    """Art 20: the fifteen kinds of information every administrative organ discloses proactively (R37)."""

    RULES = 1, _("行政法规、规章和规范性文件")
    FUNCTIONS = 2, _("机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名")
    PLANS = 3, _("国民经济和社会发展规划、专项规划、区域规划及相关政策")
    STATISTICS = 4, _("国民经济和社会发展统计信息")
    LICENSING = 5, _("办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果")
    PENALTIES = 6, _("实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定")
    BUDGETS = 7, _("财政预算、决算信息")
    FEES = 8, _("行政事业性收费项目及其依据、标准")
    PROCUREMENT = 9, _("政府集中采购项目的目录、标准及实施情况")
    PROJECTS = 10, _("重大建设项目的批准和实施情况")
    WELFARE = 11, _("扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况")
    EMERGENCIES = 12, _("突发公共事件的应急预案、预警信息及应对情况")
    INSPECTIONS = 13, _("环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况")
    CIVIL_SERVICE = 14, _("公务员招考的职位、名额、报考条件等事项以及录用结果")
    OTHER = 15, _("法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息")


class Channel(models.TextChoices):
    WEBSITE = "website", _("政府网站")
    NEW_MEDIA = "new_media", _("政务新媒体")
    GAZETTE = "gazette", _("政府公报")
    PRESS = "press", _("新闻发布会")
    BROADCAST = "broadcast", _("广播电视")
    PRINT = "print", _("报刊")
    READING_POINT = "reading_point", _("政府信息公开查阅点")
    SERVICE_CENTRE = "service_centre", _("政务服务中心")
    NOTICE_BOARD = "notice_board", _("公开栏（电子屏）")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class Topic(models.Model):
    """主题分类: the managed list documents are classified by (R12)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(verbose_name=_("主题分类历史"))

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class CatalogueNode(models.Model):
    """One 公开事项 of an organisation's catalogue, with the fields of R34 (54号).

    Level 1 nodes sit directly under a section; level 2 nodes under a level 1 node of the same section.
    """

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("全社会")
        SPECIFIC = "specific", _("特定群体")

    class Mode(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")

    class TimeLimitEvent(models.TextChoices):
        FORMED = "formed", _("信息形成或者变更之日")
        DECIDED = "decided", _("作出决定之日")
        APPROVED = "approved", _("批准之日")
        OCCURRED = "occurred", _("事项发生之日")

    class Freshness(models.TextChoices):
        """R35: how often the column must show something new (thresholds in settings)."""

        NONE = "none", _("无固定更新要求")
        NEWS = "news", _("动态要闻类（2 周内应有更新）")
        NOTICE = "notice", _("通知公告、政策文件类（6 个月内应有更新）")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属目录"), on_delete=models.PROTECT, related_name="catalogue_nodes"
    )
    section = models.CharField(_("公开类别"), max_length=12, choices=Section.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("一级事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("公开事项"), max_length=120)
    statutory_class = models.PositiveSmallIntegerField(
        _("法定主动公开内容类别"),
        choices=StatutoryClass.choices,
        null=True,
        blank=True,
        help_text=_("《条例》第二十条的十五类内容之一（可不填）。"),
    )
    elements = models.TextField(_("公开内容（要素）"), blank=True)
    basis = models.TextField(_("公开依据"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(
        _("公开时限（工作日）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_("自下列事件起多少个工作日内公开，例如 20。"),
    )
    time_limit_event = models.CharField(
        _("时限起算事件"), max_length=10, choices=TimeLimitEvent.choices, default=TimeLimitEvent.FORMED
    )
    subject = models.ForeignKey(
        Organisation,
        verbose_name=_("公开主体"),
        on_delete=models.PROTECT,
        related_name="subject_of_nodes",
        help_text=_("负责公开该事项的机构或牵头处室。"),
    )
    channels = models.JSONField(_("公开渠道和载体"), default=list, blank=True)
    audience = models.CharField(_("公开对象"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    mode = models.CharField(_("公开方式"), max_length=10, choices=Mode.choices, default=Mode.PROACTIVE)
    levels = models.JSONField(_("公开层级"), default=list, blank=True)
    freshness = models.CharField(_("更新要求"), max_length=8, choices=Freshness.choices, default=Freshness.NONE)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(verbose_name=_("目录事项历史"))

    class Meta:
        verbose_name = _("目录事项")
        verbose_name_plural = _("五公开目录")
        ordering = ["organisation__sort_order", "organisation__name", "section", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "section", "parent", "name"], name="unique_node_name"),
        ]

    def __str__(self) -> str:
        prefix = f"{self.parent.name} / " if self.parent_id else ""
        return f"{self.get_section_display()} / {prefix}{self.name}"

    @property
    def level(self) -> int:
        return 2 if self.parent_id else 1

    @property
    def time_limit_text(self) -> str:
        if not self.time_limit_days:
            return ""
        return _("自%(event)s起 %(days)s 个工作日内") % {
            "event": self.get_time_limit_event_display(),
            "days": self.time_limit_days,
        }

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.channels]

    def level_labels(self) -> list[str]:
        labels = dict(Level.choices)
        return [str(labels.get(code, code)) for code in self.levels]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.parent_id:
            parent = self.parent
            if parent.parent_id:
                errors["parent"] = _("目录最多两级：所选一级事项本身已是二级事项。")
            elif parent.organisation_id != self.organisation_id or parent.section != self.section:
                errors["parent"] = _("一级事项必须属于同一机构、同一公开类别。")
        unknown = [c for c in self.channels or [] if c not in Channel.values]
        if unknown:
            errors["channels"] = _("未知的公开渠道：%(codes)s") % {"codes": "、".join(unknown)}
        unknown = [c for c in self.levels or [] if c not in Level.values]
        if unknown:
            errors["levels"] = _("未知的公开层级：%(codes)s") % {"codes": "、".join(unknown)}
        if errors:
            raise ValidationError(errors)


class NilNotice(models.Model):
    """ "本期无": an explicit statement that a catalogue item had nothing to publish in a period (R35, seed 001 §7)."""

    node = models.ForeignKey(
        CatalogueNode, verbose_name=_("目录事项"), on_delete=models.CASCADE, related_name="nil_notices"
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    note = models.CharField(_("说明"), max_length=200, default="本期无")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("本期无说明历史"))

    class Meta:
        verbose_name = _("本期无说明")
        verbose_name_plural = _("本期无说明")
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["node", "period_start"], name="one_nil_notice_per_period")]

    def __str__(self) -> str:
        return f"{self.node.name} {self.period_start:%Y-%m-%d}—{self.period_end:%Y-%m-%d} {self.note}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("期间结束不能早于期间开始。")})
