"""Documents 政府信息 with their disclosure attribute 公开属性 and its review (R5–R14)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import CatalogueNode, Organisation, Topic
from core.workflow import ReviewedRecord, TransitionEvent
from disclosure.grounds import Ground


class NegativeListEntry(models.Model):
    """An entry of an organisation's 负面清单: a matter it does not disclose, and why (R14, seed 000 四(二))."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="negative_list"
    )
    matter = models.CharField(_("不予公开事项"), max_length=200)
    ground = models.CharField(_("法定理由"), max_length=12, choices=Ground.choices)
    basis = models.TextField(_("依据"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(verbose_name=_("负面清单历史"))

    class Meta:
        verbose_name = _("负面清单事项")
        verbose_name_plural = _("负面清单")
        ordering = ["organisation__name", "matter"]
        constraints = [models.UniqueConstraint(fields=["organisation", "matter"], name="unique_negative_matter")]

    def __str__(self) -> str:
        return f"{self.organisation.display_name}：{self.matter}"


class IndexSerial(models.Model):
    """The last serial handed out for an organisation and year; locked row by row so 索引号 never repeat (R12)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="one_serial_per_org_year")]


class Document(ReviewedRecord):
    class Attribute(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        WITHHELD = "withheld", _("不予公开")

    class LegalForm(models.TextChoices):
        """The first rows of annual-report Table 二 (R31)."""

        OTHER = "", _("其他")
        RULE = "rule", _("规章")
        NORMATIVE = "normative", _("行政规范性文件")

    class DecisionKind(models.TextChoices):
        """Decisions a 结果公开 document publishes, counted in Table 二 (R31): 本年处理决定数量."""

        NONE = "", _("不适用")
        LICENSING = "licensing", _("行政许可")
        PENALTY = "penalty", _("行政处罚")
        COERCION = "coercion", _("行政强制")

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("失效")
        REPEALED = "repealed", _("废止")
        AMENDED = "amended", _("已修订")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="documents"
    )
    index_no = models.CharField(_("索引号"), max_length=60, unique=True, editable=False)
    index_year = models.PositiveSmallIntegerField(_("索引年度"), editable=False)
    index_serial = models.PositiveIntegerField(_("索引序号"), editable=False)
    title = models.CharField(_("标题"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=80, blank=True)
    issuer = models.CharField(
        _("发文机关"), max_length=200, blank=True, help_text=_("与发布机构不同时填写，例如联合发文或上级来文。")
    )
    written_on = models.DateField(_("成文日期"), null=True, blank=True)
    # 主题词 and 内容概述: the 信息索引 table, the 依申请公开目录 (国办公开办函〔2019〕61号) and the page's Keywords and
    # Description meta tags (政府网站发展指引, 国办发〔2017〕47号).
    keywords = models.CharField(
        _("主题词"),
        max_length=100,
        blank=True,
        help_text=_("几个词语，用空格或顿号分隔，例如：城市管理 户外广告 审批。"),
    )
    summary = models.TextField(
        _("内容概述"),
        max_length=300,
        blank=True,
        help_text=_("一两句话说明文件的主要内容，不超过 300 字；依申请公开的文件会在依申请公开目录中显示。"),
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("主题分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    catalogue_nodes = models.ManyToManyField(
        CatalogueNode, verbose_name=_("目录事项"), blank=True, related_name="documents"
    )
    body = models.TextField(_("正文"), blank=True, help_text=_("可直接粘贴文字（按段落分行），或使用简单的 HTML。"))
    body_text = models.TextField(_("正文纯文本"), blank=True, editable=False)
    attribute = models.CharField(_("公开属性"), max_length=12, choices=Attribute.choices, blank=True)
    ground = models.CharField(_("不公开的法定理由"), max_length=12, choices=Ground.choices, blank=True)
    reason = models.TextField(_("不公开的理由说明"), blank=True)
    negative_list_entry = models.ForeignKey(
        NegativeListEntry,
        verbose_name=_("对应负面清单事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    validity = models.CharField(_("有效性"), max_length=10, choices=Validity.choices, default=Validity.VALID)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("修订后的文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    repealed_on = models.DateField(_("废止（失效）日期"), null=True, blank=True)
    is_policy = models.BooleanField(
        _("政策性文件"),
        default=False,
        help_text=_("政策性文件、规范性文件需同步解读；行政规范性文件自动视为政策性文件。"),
    )
    # R15/R16: the office may waive the 三同步 interpretation of one policy, with the reason on record.
    interpretation_waiver = models.TextField(_("免于同步解读的理由"), blank=True, editable=False)
    interpretation_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准免于解读"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interpretation_waived_at = models.DateTimeField(_("免于解读时间"), null=True, blank=True, editable=False)
    legal_form = models.CharField(
        _("文件类型"),
        max_length=10,
        choices=LegalForm.choices,
        blank=True,
        help_text=_("规章、行政规范性文件计入年度报告表二。"),
    )
    decision_kind = models.CharField(
        _("公开的处理决定"),
        max_length=10,
        choices=DecisionKind.choices,
        blank=True,
        help_text=_("本文件公开行政许可、行政处罚或行政强制决定时选择，计入年度报告表二。"),
    )
    decision_count = models.PositiveIntegerField(
        _("处理决定数量"), default=0, help_text=_("本文件公开的决定件数，例如一份公示表列出 12 个处罚决定则填 12。")
    )
    scheduled_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True, editable=False)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True, editable=False)
    confidentiality_checked = models.BooleanField(_("已通过保密审查"), default=False, editable=False)
    personal_data_note = models.TextField(_("个人信息可公开的理由"), blank=True, editable=False)
    history = HistoricalRecords(verbose_name=_("文件历史"), excluded_fields=["body_text", "updated_at"])

    class Meta:
        verbose_name = _("政府信息")
        verbose_name_plural = _("政府信息")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "index_year", "index_serial"], name="unique_index_serial"),
        ]
        indexes = [
            # Public lists, newest first. With the id and the organisation in the index, a deep page of a list
            # (``disclosure.paging``) skips its offset in the index alone, without visiting the rows it passes.
            models.Index(
                fields=["status", "attribute", "-published_at", "-id"],
                include=["organisation"],
                name="document_public_list_idx",
            ),
            models.Index(fields=["status", "submitted_at"], name="document_queue_idx"),
            # The 依申请公开目录: approved on-request documents by decision time (R10).
            models.Index(fields=["status", "attribute", "decided_at"], name="document_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.index_no} {self.title}"

    @property
    def index_path(self) -> tuple[str, str]:
        """The two URL parts of the 索引号: organisation code and ``YYYY-NNNNN``."""
        code, number = self.index_no.rsplit("/", 1)
        return code, number

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.attribute == self.Attribute.PROACTIVE
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never reuses the uploader's file name: it may carry personal data or odd characters.
    now = timezone.localtime()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return (
        f"documents/{now:%Y/%m}/{instance.document_id}-{timezone.now().timestamp():.0f}-{instance.sha256[:12]}.{suffix}"
    )


class Attachment(models.Model):
    document = models.ForeignKey(Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("附件名称"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    extracted_text = models.TextField(_("提取的文字"), blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("附件历史"), excluded_fields=["extracted_text"])

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].upper() if "." in self.name else ""


class DocumentEvent(TransitionEvent):
    """One row per change of a document: the timeline, and what the self-audit and annual report count."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        IMPORTED = "imported", _("导入历史文件")
        EDITED = "edited", _("修改")
        ATTACHED = "attached", _("添加附件")
        DETACHED = "detached", _("删除附件")
        SUBMITTED = "submitted", _("提交审核")
        RETURNED = "returned", _("退回")
        APPROVED = "approved", _("审定")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("发布")
        WITHDRAWN = "withdrawn", _("撤回")
        VALIDITY = "validity", _("变更有效性")
        VALIDITY_PROPOSED = "val_prop", _("申请变更有效性")
        VALIDITY_RETURNED = "val_return", _("退回有效性变更申请")
        RECONSIDERED = "reconsider", _("提议转为主动公开")
        REREVIEWED = "rereviewed", _("不予公开年度复核")
        WAIVED = "waived", _("免于同步解读")

    document = models.ForeignKey(Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Document.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Document.Status.choices, blank=True)

    class Meta:
        verbose_name = _("文件操作记录")
        verbose_name_plural = _("文件操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document.index_no} {self.get_action_display()}"


class ValidityProposal(models.Model):
    """A drafter's request to change the 有效性 of a published document (R12): 废止、失效 or 已修订 changes what the
    public may rely on, so it takes effect only when the organisation's reviewer or the office approves it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="validity_proposals"
    )
    validity = models.CharField(_("申请的有效性"), max_length=10, choices=Document.Validity.choices)
    successor = models.ForeignKey(
        Document,
        verbose_name=_("修订后的文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    repealed_on = models.DateField(_("废止（失效）日期"), null=True, blank=True)
    reason = models.TextField(_("申请理由"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("有效性变更申请")
        verbose_name_plural = _("有效性变更申请")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(outcome="pending"), name="validity_one_pending_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document.title}：{self.get_validity_display()}"


class SearchEntry(models.Model):
    """The search index row of a public document (R39). Only public documents have one.

    Besides the words, it carries what a search filters, ranks and counts by (organisation, topic, 公开类别 as bits,
    publication time, 有效性), so that a query never joins the documents. The words live in the backend's own index
    beside it: ``vector`` (every word, weighted) and ``title_vector`` (the title's and numbers' words) tsvector
    columns with a GIN index on PostgreSQL, an FTS5 table keyed by document id on SQLite (created in the migrations,
    see ``disclosure.search.backends``).
    """

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    published_at = models.DateTimeField()
    validity = models.CharField(max_length=10)
    sections = models.PositiveSmallIntegerField(default=0)  # one bit per Section, see disclosure.search.backends
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-document"], name="search_newest_idx"),
            models.Index(fields=["organisation", "-published_at"], name="search_org_newest_idx"),
            models.Index(fields=["topic", "-published_at"], name="search_topic_newest_idx"),
            models.Index(fields=["validity", "-published_at"], name="search_validity_newest_idx"),
        ]  # and on PostgreSQL one partial index per 公开类别 bit (migration 0009)


SYNONYM_SEPARATORS = re.compile(r"[\s,，、;；]+")


def synonym_terms(text: str) -> list[str]:
    """The terms of a group of synonyms as entered, without repeats."""
    found: list[str] = []
    for term in SYNONYM_SEPARATORS.split(text or ""):
        if term and term not in found:
            found.append(term)
    return found


class SearchSynonym(models.Model):
    """A group of words the office declares equivalent for search: 噪声 噪音, 城管 城市管理 (R39). A query word of an
    active group also finds the group's other words (``disclosure.synonyms``)."""

    terms = models.CharField(
        _("同义词"),
        max_length=300,
        help_text=_(
            "意思相同的词语或简称与全称，用空格或顿号分隔，如“噪声 噪音”“城管 城市管理”。检索其中任何一个词，"
            "也会找到含有其他词的信息。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("不再使用的一组词语请停用，不要删除。"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("最后修改时间"), default=timezone.now, editable=False)
    history = HistoricalRecords(verbose_name=_("检索同义词历史"))

    class Meta:
        verbose_name = _("检索同义词")
        verbose_name_plural = _("检索同义词")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        return synonym_terms(self.terms)

    def clean(self) -> None:
        from disclosure.search.segment import normalise, query_tokens  # jieba, loaded only when needed

        terms = self.term_list()
        unsearchable = [term for term in terms if not query_tokens(term)]
        if unsearchable:
            raise ValidationError({"terms": _("“%(term)s”中没有可检索的文字。") % {"term": unsearchable[0]}})
        if len({normalise(term) for term in terms}) < 2:
            raise ValidationError({"terms": _("请至少填写两个不同的词语。")})
        self.terms = " ".join(terms)


class ReviewItem(Document):
    """The review queue of the admin: documents waiting for a reviewer (a proxy, no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("待审核文件")
        verbose_name_plural = _("审核队列")


# --- Policy interpretations 政策解读 (R15–R17) -------------------------------------------------------------------


class InterpretationForm(models.TextChoices):
    """The forms of R16 (seed 001 §11; 国办发〔2016〕80号)."""

    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图表图解")
    AUDIO_VIDEO = "av", _("音频视频")
    ANIMATION = "h5", _("动漫/H5")
    QA = "qa", _("政策问答")
    INTERVIEW = "interview", _("在线访谈")
    PRESS = "press", _("新闻发布会/吹风会")
    EXPERT = "expert", _("专家解读")
    MEDIA = "media", _("媒体解读")


class InterpretationPlan(models.Model):
    """解读方案 of a policy document: submitted, reviewed and published with it (R16, 三同步)."""

    policy = models.OneToOneField(
        Document, verbose_name=_("政策文件"), on_delete=models.CASCADE, related_name="interpretation_plan"
    )
    planned_on = models.DateField(
        _("解读时间"), null=True, blank=True, help_text=_("计划发布解读的日期，原则上与文件同步。")
    )
    channels = models.TextField(
        _("发布渠道"), blank=True, help_text=_("例如：政府网站、政务新媒体、新闻发布会、报刊广播电视。")
    )
    forms = models.JSONField(_("解读形式"), default=list, blank=True)
    outline = models.TextField(_("解读提纲"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("解读方案历史"))

    class Meta:
        verbose_name = _("解读方案")
        verbose_name_plural = _("解读方案")

    def __str__(self) -> str:
        return f"{self.policy.title}（{_('解读方案')}）"

    def form_labels(self) -> list[str]:
        labels = dict(InterpretationForm.choices)
        return [str(labels[f]) for f in self.forms if f in labels]


class Interpretation(ReviewedRecord):
    """解读材料: made by the policy's drafting organisation (R15), reviewed and published with the policy (R16)."""

    policy = models.ForeignKey(
        Document, verbose_name=_("所解读的政策文件"), on_delete=models.PROTECT, related_name="interpretations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("解读机构"),
        on_delete=models.PROTECT,
        related_name="interpretations",
        editable=False,
    )
    title = models.CharField(_("标题"), max_length=300)
    form = models.CharField(_("解读形式"), max_length=10, choices=InterpretationForm.choices)
    speaker = models.CharField(
        _("解读人"), max_length=200, blank=True, help_text=_("专家、媒体、访谈嘉宾或发布人的姓名与单位职务。")
    )
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("解读正文（文字稿）"), blank=True, help_text=_("音频视频、访谈和发布会须附文字稿。"))
    body_text = models.TextField(_("正文纯文本"), blank=True, editable=False)
    link = models.URLField(_("外部链接"), max_length=500, blank=True, help_text=_("H5 页面或视频平台地址（可选）。"))
    history = HistoricalRecords(verbose_name=_("解读历史"), excluded_fields=["body_text", "updated_at"])

    class Meta:
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["status", "-published_at"], name="interpretation_public_idx")]

    def __str__(self) -> str:
        return self.title


def interpretation_media_path(instance: InterpretationMedia, filename: str) -> str:
    now = timezone.localtime()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"interpretations/{now:%Y/%m}/{instance.interpretation_id}-{now.timestamp():.0f}-{instance.sha256[:12]}.{suffix}"


class InterpretationMedia(models.Model):
    """An image, audio, video or document file of an interpretation; each carries a text alternative."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        AUDIO = "audio", _("音频")
        VIDEO = "video", _("视频")
        FILE = "file", _("文件")

    interpretation = models.ForeignKey(
        Interpretation, verbose_name=_("解读"), on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=interpretation_media_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    alt_text = models.CharField(
        _("文字说明"), max_length=500, blank=True, help_text=_("图片的替代文字、音视频的内容简介，供读屏软件使用。")
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("解读文件历史"))

    class Meta:
        verbose_name = _("解读文件")
        verbose_name_plural = _("解读文件")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class InterpretationQuestion(models.Model):
    """One question and answer of a 政策问答."""

    interpretation = models.ForeignKey(
        Interpretation, verbose_name=_("解读"), on_delete=models.CASCADE, related_name="questions"
    )
    question = models.CharField(_("问题"), max_length=500)
    answer = models.TextField(_("回答"))
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    history = HistoricalRecords(verbose_name=_("问答历史"))

    class Meta:
        verbose_name = _("问答")
        verbose_name_plural = _("问答")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.question


class InterpretationEvent(TransitionEvent):
    interpretation = models.ForeignKey(
        Interpretation, verbose_name=_("解读"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=10, choices=DocumentEvent.Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Interpretation.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Interpretation.Status.choices, blank=True)

    class Meta:
        verbose_name = _("解读操作记录")
        verbose_name_plural = _("解读操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.interpretation.title} {self.get_action_display()}"


# --- Reposts of superior policies 转载 (R18) -----------------------------------------------------------------------


class SuperiorLevel(models.TextChoices):
    STATE = "state", _("国务院")
    PROVINCE = "province", _("省")
    CITY = "city", _("市")


class FeedSource(models.Model):
    """An Atom or RSS feed of a superior portal, polled for policies to repost (R18)."""

    name = models.CharField(_("名称"), max_length=120)
    url = models.URLField(_("订阅地址"), max_length=500, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=SuperiorLevel.choices)
    source_organisation = models.CharField(_("来源机构"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("转载机构"),
        on_delete=models.PROTECT,
        related_name="feed_sources",
        help_text=_("新条目排入该机构的转载队列。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    last_polled_at = models.DateTimeField(_("最近抓取时间"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True, editable=False)
    last_new = models.PositiveIntegerField(_("最近新增"), default=0, editable=False)
    last_duplicates = models.PositiveIntegerField(_("最近重复"), default=0, editable=False)
    history = HistoricalRecords(verbose_name=_("订阅源历史"))

    class Meta:
        verbose_name = _("上级订阅源")
        verbose_name_plural = _("上级订阅源")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Repost(models.Model):
    """A superior policy or interpretation to repost within the deadline of R18; it becomes a normal document."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("政策文件")
        INTERPRETATION = "interp", _("政策解读")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待转载")
        DRAFTED = "drafted", _("转载稿办理中")
        PUBLISHED = "published", _("已转载")
        DISMISSED = "dismissed", _("不予转载")

    OPEN_STATUSES = (Status.QUEUED, Status.DRAFTED)

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("转载机构"), on_delete=models.PROTECT, related_name="reposts"
    )
    level = models.CharField(_("来源层级"), max_length=10, choices=SuperiorLevel.choices)
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices, default=Kind.POLICY)
    source_organisation = models.CharField(_("来源机构"), max_length=200)
    source_url = models.URLField(_("原文链接"), max_length=500)
    url_key = models.CharField(max_length=500, editable=False, db_index=True)
    title = models.CharField(_("标题"), max_length=300)
    title_key = models.CharField(max_length=300, editable=False, db_index=True)
    source_published_at = models.DateTimeField(_("来源发布时间"))
    due_at = models.DateTimeField(_("转载期限"), editable=False)
    due_provisional = models.BooleanField(_("期限含暂定日历"), default=False, editable=False)
    deadline_rule = models.CharField(_("期限规则"), max_length=40, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, editable=False)
    document = models.OneToOneField(
        Document,
        verbose_name=_("转载稿"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repost",
        editable=False,
    )
    reposted_at = models.DateTimeField(_("转载发布时间"), null=True, blank=True, editable=False)
    dismiss_reason = models.TextField(_("不予转载的理由"), blank=True, editable=False)
    feed = models.ForeignKey(
        FeedSource,
        verbose_name=_("订阅源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reposts",
        editable=False,
    )
    feed_guid = models.CharField(_("订阅条目标识"), max_length=500, blank=True, editable=False)
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
    history = HistoricalRecords(verbose_name=_("转载历史"))

    class Meta:
        verbose_name = _("上级文件转载")
        verbose_name_plural = _("上级文件转载")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "url_key"], name="one_repost_per_source_url"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="repost_clock_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_late(self) -> bool:
        finished = self.reposted_at or timezone.now()
        return self.status != self.Status.DISMISSED and finished > self.due_at


# --- The published 依申请公开目录 (R10) ------------------------------------------------------------------------------


class RepostEvent(TransitionEvent):
    """The transitions of a repost (R18): registered, drafted, published with its document, dismissed."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("登记转载")
        DRAFTED = "drafted", _("建立转载稿")
        PUBLISHED = "published", _("转载稿发布")
        DISMISSED = "dismissed", _("不予转载")

    repost = models.ForeignKey(Repost, verbose_name=_("转载"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Repost.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Repost.Status.choices, blank=True)

    class Meta:
        verbose_name = _("转载操作记录")
        verbose_name_plural = _("转载操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.repost.title} {self.get_action_display()}"


class DirectoryIssue(models.Model):
    """One published issue of the 依申请公开目录: the period's rows, frozen when the job compiled them (R10)."""

    class Period(models.TextChoices):
        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")

    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    rows = models.JSONField(_("目录条目"), default=list, editable=False)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("依申请公开目录（期）")
        verbose_name_plural = _("依申请公开目录")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="one_directory_issue_per_period"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.period == self.Period.QUARTER:
            quarter = (self.period_start.month - 1) // 3 + 1
            return _("%(y)s 年第 %(q)s 季度依申请公开目录") % {"y": self.period_start.year, "q": quarter}
        return _("%(y)s 年 %(m)s 月依申请公开目录") % {"y": self.period_start.year, "m": self.period_start.month}
