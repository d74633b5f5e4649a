"""Documents 政府信息 with their disclosure attribute 公开属性 and its review (R5–R14)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import CatalogueNode, Organisation, Topic
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


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审定")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Attribute(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        WITHHELD = "withheld", _("不予公开")

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
        NegativeListEntry, verbose_name=_("对应负面清单事项"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="documents",
    )
    validity = models.CharField(_("有效性"), max_length=10, choices=Validity.choices, default=Validity.VALID)
    successor = models.ForeignKey(
        "self", verbose_name=_("修订后的文件"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    repealed_on = models.DateField(_("废止（失效）日期"), null=True, blank=True)
    is_policy = models.BooleanField(_("政策性文件"), default=False, help_text=_("政策性文件、规范性文件需同步解读。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    scheduled_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布日期"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("退回理由"), blank=True, editable=False)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True, editable=False)
    confidentiality_checked = models.BooleanField(_("已通过保密审查"), default=False, editable=False)
    personal_data_note = models.TextField(_("个人信息可公开的理由"), blank=True, editable=False)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("拟稿人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="drafted_documents", editable=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reviewed_documents", editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("文件历史"), excluded_fields=["body_text", "updated_at"])

    class Meta:
        verbose_name = _("政府信息")
        verbose_name_plural = _("政府信息")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "index_year", "index_serial"], name="unique_index_serial"),
        ]
        indexes = [
            models.Index(fields=["status", "attribute", "-published_at"], name="document_public_idx"),
            models.Index(fields=["status", "submitted_at"], name="document_queue_idx"),
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


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never reuses the uploader's file name: it may carry personal data or odd characters.
    now = timezone.localtime()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{now:%Y/%m}/{instance.document_id}-{timezone.now().timestamp():.0f}-{instance.sha256[:12]}.{suffix}"


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


class DocumentEvent(models.Model):
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
        RECONSIDERED = "reconsider", _("提议转为主动公开")

    document = models.ForeignKey(Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Document.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Document.Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("文件操作记录")
        verbose_name_plural = _("文件操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document.index_no} {self.get_action_display()}"


class SearchEntry(models.Model):
    """The search index row of a public document (R39). Only public documents have one.

    The backend's own index sits beside it: a ``vector tsvector`` column with a GIN index on PostgreSQL, an FTS5
    table keyed by document id on SQLite (both created in the migration, see ``disclosure.search.backends``).
    """

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    tokens = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)


class ReviewItem(Document):
    """The review queue of the admin: documents waiting for a reviewer (a proxy, no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("待审核文件")
        verbose_name_plural = _("审核队列")
