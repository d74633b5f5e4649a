"""Applications for disclosure on request 依申请公开 (R20–R29).

Status (where a case is) and outcome (how it ended) are kept apart. Every change is a ``RequestEvent`` row, and the
reply deadline is derived from those facts by ``requests_app.deadlines``; ``due_on`` is only its cached result, so
the admin can filter and sort on it, and is recomputed by the services and by the sweep, never typed in.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Organisation
from core.crypto import BlindIndexField, EncryptedCharField, EncryptedEmailField
from disclosure.grounds import Ground


class ApplicantType(models.TextChoices):
    """The columns of annual-report Table 三 (R31)."""

    NATURAL = "natural", _("自然人")
    BUSINESS = "business", _("商业企业")
    RESEARCH = "research", _("科研机构")
    PUBLIC_INTEREST = "public_interest", _("社会公益组织")
    LEGAL_SERVICE = "legal_service", _("法律服务机构")
    OTHER = "other", _("其他")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    USCC = "uscc", _("统一社会信用代码")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他有效证件")


class Channel(models.TextChoices):
    """How the application arrived; the receipt date follows from it (R21)."""

    ONLINE = "online", _("网上申请")
    IN_PERSON = "in_person", _("当面提交")
    POST = "post", _("邮寄（需签收）")
    LETTER = "letter", _("平常信函")
    FAX = "fax", _("传真")
    ORAL = "oral", _("口头提出（工作人员代为填写）")


class InformationForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")


class Delivery(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    POST = "post", _("邮寄")
    PICKUP = "pickup", _("当面领取")
    ONLINE = "online", _("网上查看（凭查询码）")


class Outcome(models.TextChoices):
    """Reply types of R25, one code per row of annual-report Table 三 三、办理结果 (R31)."""

    OPEN = "open", _("予以公开")
    ALREADY_PUBLIC = "already_public", _("予以公开（已主动公开，告知获取方式）")
    PARTIAL = "partial", _("部分公开")
    WITHHELD_STATE_SECRET = "withheld_state_secret", _("不予公开：属于国家秘密")
    WITHHELD_PROHIBITED = "withheld_prohibited", _("不予公开：其他法律行政法规禁止公开")
    WITHHELD_ENDANGERS = "withheld_endangers", _("不予公开：危及“三安全一稳定”")
    WITHHELD_THIRD_PARTY = "withheld_third_party", _("不予公开：保护第三方合法权益")
    WITHHELD_INTERNAL = "withheld_internal", _("不予公开：属于三类内部事务信息")
    WITHHELD_PROCESS = "withheld_process", _("不予公开：属于四类过程性信息")
    WITHHELD_ENFORCEMENT = "withheld_enforcement", _("不予公开：属于行政执法案卷")
    WITHHELD_INQUIRY = "withheld_inquiry", _("不予公开：属于行政查询事项")
    NOT_HELD = "not_held", _("无法提供：本机关不掌握相关政府信息")
    NOT_HELD_REFERRAL = "not_held_referral", _("无法提供：非本机关负责，告知负责机关")
    NEEDS_CREATION = "needs_creation", _("无法提供：没有现成信息需要另行制作")
    STILL_UNCLEAR = "still_unclear", _("无法提供：补正后申请内容仍不明确")
    PETITION = "petition", _("不予处理：信访举报投诉类申请")
    REPEAT = "repeat", _("不予处理：重复申请")
    PUBLICATION = "publication", _("不予处理：要求提供公开出版物")
    EXCESSIVE = "excessive", _("不予处理：无正当理由大量反复申请")
    CONFIRMATION = "confirmation", _("不予处理：要求行政机关确认或重新出具已获取信息")
    NO_CORRECTION = "no_correction", _("其他处理：申请人无正当理由逾期不补正")
    FEE_UNPAID = "fee_unpaid", _("其他处理：申请人逾期未按收费通知要求缴纳费用")
    OTHER = "other", _("其他处理：其他")


# Outcome → the row of Table 三 it is counted in (R31), as the official layout numbers it.
REPORT_ROWS: dict[str, str] = {
    Outcome.OPEN: "（一）",
    Outcome.ALREADY_PUBLIC: "（一）",
    Outcome.PARTIAL: "（二）",
    Outcome.WITHHELD_STATE_SECRET: "（三）1",
    Outcome.WITHHELD_PROHIBITED: "（三）2",
    Outcome.WITHHELD_ENDANGERS: "（三）3",
    Outcome.WITHHELD_THIRD_PARTY: "（三）4",
    Outcome.WITHHELD_INTERNAL: "（三）5",
    Outcome.WITHHELD_PROCESS: "（三）6",
    Outcome.WITHHELD_ENFORCEMENT: "（三）7",
    Outcome.WITHHELD_INQUIRY: "（三）8",
    Outcome.NOT_HELD: "（四）1",
    Outcome.NOT_HELD_REFERRAL: "（四）1",
    Outcome.NEEDS_CREATION: "（四）2",
    Outcome.STILL_UNCLEAR: "（四）3",
    Outcome.PETITION: "（五）1",
    Outcome.REPEAT: "（五）2",
    Outcome.PUBLICATION: "（五）3",
    Outcome.EXCESSIVE: "（五）4",
    Outcome.CONFIRMATION: "（五）5",
    Outcome.NO_CORRECTION: "（六）1",
    Outcome.FEE_UNPAID: "（六）2",
    Outcome.OTHER: "（六）3",
}

# 不予公开 outcomes and the R7 ground each one stands for.
WITHHELD_GROUNDS: dict[str, str] = {
    Outcome.WITHHELD_STATE_SECRET: Ground.STATE_SECRET,
    Outcome.WITHHELD_PROHIBITED: Ground.PROHIBITED_BY_LAW,
    Outcome.WITHHELD_ENDANGERS: Ground.ENDANGERS_SAFETY,
    Outcome.WITHHELD_THIRD_PARTY: Ground.THIRD_PARTY,
    Outcome.WITHHELD_INTERNAL: Ground.INTERNAL_AFFAIRS,
    Outcome.WITHHELD_PROCESS: Ground.PROCESS,
    Outcome.WITHHELD_ENFORCEMENT: Ground.ENFORCEMENT_FILE,
    Outcome.WITHHELD_INQUIRY: Ground.INQUIRY,
}

# Outcomes a handler chooses when replying; the last three are reached by the other transitions.
REPLY_OUTCOMES = [code for code in Outcome if code not in (Outcome.NO_CORRECTION, Outcome.FEE_UNPAID)]


class FeeMethod(models.TextChoices):
    NONE = "", _("不收费")
    PER_REQUEST = "per_request", _("按件计收")
    BY_VOLUME = "by_volume", _("按量计收")


TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud on the phone
# The applicant's personal data, kept out of the history table.
PERSONAL_FIELDS = (
    "id_number",
    "id_blind_index",
    "phone",
    "email",
    "address",
    "postcode",
    "legal_representative",
    "contact_person",
)


# The open statuses, spelled out for the partial indexes (InformationRequest.OPEN_STATUSES is defined in the class).
OPEN = ["submitted", "accepted", "awaiting_correction"]


def new_tracking_code() -> str:
    body = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return f"YS{timezone.localdate():%Y}-{body[:4]}-{body[4:]}"


class InformationRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ACCEPTED = "accepted", _("办理中")
        AWAITING_CORRECTION = "awaiting_correction", _("待补正")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")
        ABANDONED = "abandoned", _("视为放弃")
        WITHDRAWN = "withdrawn", _("已撤回")

    OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.AWAITING_CORRECTION)
    FINISHED_STATUSES = (Status.REPLIED, Status.CLOSED, Status.ABANDONED, Status.WITHDRAWN)

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("受理机关"), on_delete=models.PROTECT, related_name="information_requests"
    )
    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True, default=new_tracking_code, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("申请方式"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)

    applicant_type = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=200)
    id_type = models.CharField(_("证件类型"), max_length=12, choices=IdType.choices)
    # PIPL Art 28: encrypted at rest (core/crypto.py); the code reads plaintext. The identity number always,
    # the contacts as GOVOPEN_ENCRYPTED_FIELDS says. Equality on the applicant goes through id_blind_index.
    id_number = EncryptedCharField(_("证件号码"), max_length=40)
    id_blind_index = BlindIndexField(sources=("id_type", "id_number"))
    legal_representative = models.CharField(_("法定代表人或负责人"), max_length=100, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=30, setting_key="phone")
    email = EncryptedEmailField(_("电子邮箱"), blank=True, setting_key="email")
    address = EncryptedCharField(_("通信地址"), max_length=300, blank=True, setting_key="address")
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)

    description = models.TextField(_("所需信息的内容描述"), max_length=4000)
    document_title = models.CharField(_("所需信息的名称"), max_length=200, blank=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    document_index_no = models.CharField(_("索引号"), max_length=60, blank=True)
    linked_document = models.ForeignKey(
        "disclosure.Document",
        verbose_name=_("对应的政府信息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="information_requests",
    )
    information_form = models.CharField(_("信息的载体形式"), max_length=12, choices=InformationForm.choices)
    delivery = models.CharField(_("获取方式"), max_length=8, choices=Delivery.choices)
    fee_waiver_requested = models.BooleanField(_("申请减免费用"), default=False)
    fee_waiver_reason = models.CharField(_("减免理由"), max_length=500, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    arrived_on = models.DateField(_("到达日期"), null=True, blank=True)
    received_on = models.DateField(_("收到申请之日"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    correction_requested_on = models.DateField(_("告知补正日期"), null=True, blank=True)
    correction_items = models.TextField(_("需要补正的事项"), blank=True)
    correction_period_days = models.PositiveSmallIntegerField(_("补正期限（工作日）"), null=True, blank=True)
    correction_answered_on = models.DateField(_("收到补正材料日期"), null=True, blank=True)
    correction_answer = models.TextField(_("补正内容"), blank=True)

    extension_proposed_days = models.PositiveSmallIntegerField(_("拟延长（工作日）"), null=True, blank=True)
    extension_proposed_reason = models.TextField(_("延期理由"), blank=True)
    extension_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_days = models.PositiveSmallIntegerField(_("延长期限（工作日）"), default=0)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("延期批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_approved_on = models.DateField(_("延期批准日期"), null=True, blank=True)

    fee_method = models.CharField(_("收费方式"), max_length=12, choices=FeeMethod.choices, blank=True)
    fee_pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    fee_amount = models.DecimalField(_("收费金额（元）"), max_digits=10, decimal_places=2, default=0)
    fee_notified_on = models.DateField(_("收费通知日期"), null=True, blank=True)
    fee_paid_on = models.DateField(_("缴费日期"), null=True, blank=True)

    outcome = models.CharField(_("办理结果"), max_length=24, choices=Outcome.choices, blank=True)
    withheld_parts = models.JSONField(_("不予公开的部分及理由"), default=list, blank=True)
    referral_organisation = models.CharField(_("负责该信息的机关"), max_length=200, blank=True)
    referral_contact = models.CharField(_("该机关的联系方式"), max_length=200, blank=True)
    reply_letter = models.TextField(_("答复书正文"), blank=True)
    # Fixed on the day of the reply, so the letter as issued never changes with a later edit of the organisation or
    # of the templates: its 文号, the issuer's full name, and the remedy paragraph naming the 复议机关 and the court.
    reply_number = models.CharField(_("答复书文号"), max_length=60, blank=True, editable=False)
    reply_issuer = models.CharField(_("答复机关"), max_length=100, blank=True, editable=False)
    reply_remedy = models.TextField(_("救济途径"), blank=True, editable=False)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    due_on = models.DateField(_("答复期限"), null=True, blank=True, editable=False)
    due_provisional = models.BooleanField(_("期限含暂定日历"), default=False, editable=False)
    clock = models.CharField(_("计时状态"), max_length=24, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # History keeps no personal data: services never change these after filing, so nothing of value is lost, and
    # a history row would otherwise hold them beyond the reach of the encryption and of its key rotation.
    history = HistoricalRecords(
        verbose_name=_("申请历史"), excluded_fields=["secret_hash", "updated_at", *PERSONAL_FIELDS]
    )

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["id_blind_index"]),
            # The sweep (requests_app/sweep.py) and Table 三 (audits/tables.py) at a million applications.
            models.Index(
                fields=["due_on"], condition=models.Q(status="accepted", clock="running"), name="request_running_due"
            ),
            models.Index(fields=["clock"], condition=models.Q(status__in=OPEN), name="request_open_clock"),
            models.Index(fields=["submitted_at"], condition=models.Q(status="submitted"), name="request_waiting"),
            models.Index(
                fields=["fee_notified_on"],
                condition=models.Q(fee_notified_on__isnull=False, fee_paid_on__isnull=True),
                name="request_fee_unpaid",
            ),
            models.Index(fields=["received_on"], name="request_received_on"),
            models.Index(
                models.Case(
                    models.When(status__in=["replied", "closed"], then=Coalesce("replied_on", "closed_on")),
                    models.When(status__in=["withdrawn", "abandoned"], then=models.F("closed_on")),
                    default=None,
                    output_field=models.DateField(),
                ),
                models.F("received_on"),
                name="request_concluded_received",
            ),
            models.Index(
                fields=["fee_paid_on"], condition=models.Q(fee_paid_on__isnull=False), name="request_fee_paid_on"
            ),
            models.Index(fields=["received_on"], condition=models.Q(status__in=OPEN), name="request_open_received"),
            models.Index(
                fields=["received_on"],
                condition=models.Q(status__in=["replied", "closed"], replied_on__isnull=True, closed_on__isnull=True)
                | models.Q(status__in=["withdrawn", "abandoned"], closed_on__isnull=True),
                name="request_undated_received",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reply_number"],
                condition=~models.Q(reply_number=""),
                name="request_reply_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_organisation(self) -> bool:
        return self.applicant_type != ApplicantType.NATURAL

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def report_row(self) -> str:
        return REPORT_ROWS.get(self.outcome, "")

    @property
    def extension_pending(self) -> bool:
        return bool(self.extension_proposed_days) and not self.extension_approved_by_id and not self.extension_days


class Consultation(models.Model):
    """A third party or co-issuing organisation asked for its view (R23); the time it takes is not counted."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("第三方")
        CO_ISSUER = "co_issuer", _("共同制作机关")

    class Answer(models.TextChoices):
        AGREES = "agrees", _("同意公开")
        OBJECTS = "objects", _("不同意公开")
        SILENT = "silent", _("逾期未答复")

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(_("征求对象类型"), max_length=12, choices=Kind.choices)
    party = models.CharField(_("征求对象"), max_length=200)
    matter = models.TextField(_("征求意见的内容"), blank=True)
    started_on = models.DateField(_("发出征求意见日期"))
    answered_on = models.DateField(_("收到意见日期"), null=True, blank=True)
    answer = models.CharField(_("意见"), max_length=8, choices=Answer.choices, blank=True)
    answer_note = models.TextField(_("意见内容"), blank=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["started_on", "pk"]
        indexes = [
            models.Index(
                fields=["started_on"], condition=models.Q(answered_on__isnull=True), name="consultation_unanswered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.party}"


def request_file_path(instance: RequestFile, filename: str) -> str:
    # Stored under a name that says nothing about the applicant; the original name stays in the row.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"requests/{timezone.localtime():%Y/%m}/{instance.request_id}-{secrets.token_hex(8)}.{suffix}"


class RequestFile(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity", _("身份证明")
        APPLICATION = "application", _("申请材料")
        CORRECTION = "correction", _("补正材料")
        STAFF = "staff", _("办理材料")
        REPLY = "reply", _("答复材料")

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=request_file_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请相关文件")
        verbose_name_plural = _("申请相关文件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def for_applicant(self) -> bool:
        return self.kind == self.Kind.REPLY


class RequestEvent(models.Model):
    """One fact in a case's life. ``on`` is the legal date of the fact (a letter signed for last Friday), ``at``
    the moment it was recorded; deadlines are computed from ``on``."""

    class Action(models.TextChoices):
        FILED = "filed", _("网上提交申请")
        REGISTERED = "registered", _("登记申请")
        ACCEPTED = "accepted", _("受理")
        ASSIGNED = "assigned", _("指定承办人")
        CORRECTION_REQUESTED = "correction_requested", _("告知补正")
        CORRECTION_ANSWERED = "correction_answered", _("收到补正")
        ABANDONED = "abandoned", _("视为放弃")
        CONSULTATION_STARTED = "consultation_started", _("征求意见")
        CONSULTATION_ANSWERED = "consultation_answered", _("收到意见")
        EXTENSION_PROPOSED = "extension_proposed", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("批准延期")
        EXTENSION_DECLINED = "extension_declined", _("不批准延期")
        FEE_NOTIFIED = "fee_notified", _("发出收费通知")
        FEE_PAID = "fee_paid", _("缴费")
        DOCUMENT_LINKED = "document_linked", _("关联政府信息")
        REPLIED = "replied", _("答复")
        CLOSED = "closed", _("办结")
        WITHDRAWN = "withdrawn", _("撤回申请")
        REVIEW_RECORDED = "review_recorded", _("记录行政复议或诉讼")
        THIRD_PARTY_NOTIFIED = "third_party_notified", _("书面告知第三方决定公开")
        REOPENED = "reopened", _("视为放弃后重新开启")

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("记录时间"), default=timezone.now)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("事项"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_action_display()}"

    @property
    def from_status_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    return str(InformationRequest.Status(value).label) if value in InformationRequest.Status.values else value


class ReviewCase(models.Model):
    """行政复议 or 行政诉讼 about the organisation's disclosure work (R29), counted in annual-report Table 四 of the
    organisation it is brought against. Most are about a reply; one against a failure to reply is tied to the
    open or overdue case, and one against another act of the organisation (a proactive disclosure, say) may have
    no case at all."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("行政复议")
        LITIGATION = "litigation", _("行政诉讼")

    class Result(models.TextChoices):
        UPHELD = "upheld", _("结果维持")
        CORRECTED = "corrected", _("结果纠正")
        OTHER = "other", _("其他结果")
        PENDING = "pending", _("尚未审结")

    class Subject(models.TextChoices):
        REPLY = "reply", _("答复或处理决定")
        NO_REPLY = "no_reply", _("未按期答复")
        OTHER_ACT = "other_act", _("其他政府信息公开行为")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("被申请机关"), on_delete=models.PROTECT, related_name="review_cases"
    )
    request = models.ForeignKey(
        InformationRequest,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_cases",
        help_text=_("针对其他政府信息公开行为的，可以不选。"),
    )
    subject = models.CharField(_("复议或诉讼事项"), max_length=10, choices=Subject.choices, default=Subject.REPLY)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    after_review = models.BooleanField(_("复议后起诉"), default=False)
    filed_on = models.DateField(_("立案（受理）日期"))
    authority = models.CharField(_("复议机关或法院"), max_length=200)
    case_number = models.CharField(_("案号"), max_length=100, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.PENDING)
    concluded_on = models.DateField(_("审结日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords(verbose_name=_("复议诉讼历史"))

    class Meta:
        verbose_name = _("行政复议或诉讼")
        verbose_name_plural = _("行政复议和诉讼")
        ordering = ["-filed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number or self.filed_on}"


class ReplyNumberSequence(models.Model):
    """The last 答复书 number an organisation issued in a year: 文号 run 1, 2, 3 … per organisation and year, with
    no gap and no repeat (the row is locked while a reply takes the next number)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="reply_number_sequence_unique")]


class LetterKind(models.TextChoices):
    """One letter template per outcome a handler replies with (R25), and the two remedy paragraphs the letter ends
    with. 逾期不补正 and 逾期未缴费 end a case without a reply letter, so they have none."""

    OPEN = Outcome.OPEN.value, Outcome.OPEN.label
    ALREADY_PUBLIC = Outcome.ALREADY_PUBLIC.value, Outcome.ALREADY_PUBLIC.label
    PARTIAL = Outcome.PARTIAL.value, Outcome.PARTIAL.label
    WITHHELD_STATE_SECRET = Outcome.WITHHELD_STATE_SECRET.value, Outcome.WITHHELD_STATE_SECRET.label
    WITHHELD_PROHIBITED = Outcome.WITHHELD_PROHIBITED.value, Outcome.WITHHELD_PROHIBITED.label
    WITHHELD_ENDANGERS = Outcome.WITHHELD_ENDANGERS.value, Outcome.WITHHELD_ENDANGERS.label
    WITHHELD_THIRD_PARTY = Outcome.WITHHELD_THIRD_PARTY.value, Outcome.WITHHELD_THIRD_PARTY.label
    WITHHELD_INTERNAL = Outcome.WITHHELD_INTERNAL.value, Outcome.WITHHELD_INTERNAL.label
    WITHHELD_PROCESS = Outcome.WITHHELD_PROCESS.value, Outcome.WITHHELD_PROCESS.label
    WITHHELD_ENFORCEMENT = Outcome.WITHHELD_ENFORCEMENT.value, Outcome.WITHHELD_ENFORCEMENT.label
    WITHHELD_INQUIRY = Outcome.WITHHELD_INQUIRY.value, Outcome.WITHHELD_INQUIRY.label
    NOT_HELD = Outcome.NOT_HELD.value, Outcome.NOT_HELD.label
    NOT_HELD_REFERRAL = Outcome.NOT_HELD_REFERRAL.value, Outcome.NOT_HELD_REFERRAL.label
    NEEDS_CREATION = Outcome.NEEDS_CREATION.value, Outcome.NEEDS_CREATION.label
    STILL_UNCLEAR = Outcome.STILL_UNCLEAR.value, Outcome.STILL_UNCLEAR.label
    PETITION = Outcome.PETITION.value, Outcome.PETITION.label
    REPEAT = Outcome.REPEAT.value, Outcome.REPEAT.label
    PUBLICATION = Outcome.PUBLICATION.value, Outcome.PUBLICATION.label
    EXCESSIVE = Outcome.EXCESSIVE.value, Outcome.EXCESSIVE.label
    CONFIRMATION = Outcome.CONFIRMATION.value, Outcome.CONFIRMATION.label
    OTHER = Outcome.OTHER.value, Outcome.OTHER.label
    REMEDY = "remedy", _("救济途径：可以申请行政复议或者提起行政诉讼")
    REMEDY_REVIEW_FIRST = "remedy_review_first", _("救济途径：不予公开的，应当先申请行政复议")


class LetterTemplate(models.Model):
    """The office's wording of one part of the 答复书, for all organisations or for one. Placeholders in braces
    ({收到日期}) are filled in from the case (``requests_app.letters.PLACEHOLDERS``); a part without a template of
    its own uses the built-in wording."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("适用机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="letter_templates",
        help_text=_("留空则适用于全部机构；某机构另有模板的，以该机构的为准。"),
    )
    kind = models.CharField(_("答复书类型"), max_length=24, choices=LetterKind.choices)
    body = models.TextField(_("模板正文"), max_length=6000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("答复书模板历史"), excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("答复书模板")
        verbose_name_plural = _("答复书模板")
        ordering = ["organisation__sort_order", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                name="letter_template_unique",
                condition=models.Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                name="letter_template_default_unique",
                condition=models.Q(organisation__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        scope = self.organisation.display_name if self.organisation_id else _("全部机构")
        return f"{scope}：{self.get_kind_display()}"
