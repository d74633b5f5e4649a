"""Forms of the applications workflow: the public application and correction forms, and one small form per staff
action. Forms only collect input; the rules live in ``validation`` and ``services``, whose messages the forms place
next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.roles import Role
from disclosure.fields import MultipleFileField, MultipleFileInput
from disclosure.grounds import Ground
from requests_app.deadlines import MAX_EXTENSION_DAYS
from requests_app.models import (
    REPLY_OUTCOMES,
    ApplicantType,
    Channel,
    Consultation,
    Delivery,
    FeeMethod,
    IdType,
    InformationForm,
    Outcome,
    ReviewCase,
)
from requests_app.services import APPLICATION_FIELDS, RequestError, application_check
from requests_app.validation import MARKUP, MAX_LENGTHS, check_applicant_files

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicantFilesField(forms.FileField):
    """Identity proof and similar: PDF/JPG/PNG, 5 MB, three files at most."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = check_applicant_files(list(uploads))
        if errors:
            raise ValidationError(errors + [_("请重新选择文件（浏览器不会保留已选择的文件）。")])
        return checked


class StaffFilesField(MultipleFileField):
    """Files staff attach (reply material, scanned letters): the document attachment types and size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)


class ApplicationFieldsForm(forms.Form):
    """The fields of R20, shared by the public form and the staff intake form."""

    applicant_type = forms.ChoiceField(
        label=gettext_lazy("申请人类型"), choices=ApplicantType.choices, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(
        label=gettext_lazy("姓名或名称"),
        required=False,
        help_text=gettext_lazy("自然人填写姓名；法人或其他组织填写全称。"),
    )
    id_type = forms.ChoiceField(label=gettext_lazy("证件类型"), choices=[("", "——")] + IdType.choices, required=False)
    id_number = forms.CharField(
        label=gettext_lazy("证件号码"),
        required=False,
        help_text=gettext_lazy("居民身份证和统一社会信用代码会核对校验位。"),
    )
    legal_representative = forms.CharField(label=gettext_lazy("法定代表人或负责人"), required=False)
    contact_person = forms.CharField(label=gettext_lazy("联系人"), required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), required=False)
    email = forms.CharField(label=gettext_lazy("电子邮箱"), required=False, widget=forms.EmailInput)
    address = forms.CharField(label=gettext_lazy("通信地址"), required=False)
    postcode = forms.CharField(label=gettext_lazy("邮政编码"), required=False)
    description = forms.CharField(
        label=gettext_lazy("所需信息的内容描述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("请写明所需政府信息的名称、文号或者便于查询的其他特征性描述。"),
    )
    document_title = forms.CharField(label=gettext_lazy("信息名称（选填）"), required=False)
    document_number = forms.CharField(label=gettext_lazy("文号（选填）"), required=False)
    document_index_no = forms.CharField(label=gettext_lazy("索引号（选填）"), required=False)
    information_form = forms.ChoiceField(
        label=gettext_lazy("信息的载体形式"), choices=InformationForm.choices, widget=forms.RadioSelect
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("获取信息的方式"), choices=Delivery.choices, widget=forms.RadioSelect
    )
    fee_waiver_requested = forms.BooleanField(label=gettext_lazy("申请减免信息处理费"), required=False)
    fee_waiver_reason = forms.CharField(label=gettext_lazy("减免理由"), required=False)

    # Free text whose length limit is stated under the field before anything is submitted (the others have a format
    # of their own: a telephone number, a postcode, an identity number, an address of e-mail).
    STATED_LIMITS = (
        "applicant_name",
        "legal_representative",
        "contact_person",
        "address",
        "description",
        "document_title",
        "document_number",
        "document_index_no",
        "fee_waiver_reason",
    )

    # Required of every applicant by the service (``application_check``), which words the message when one is missing;
    # marked with * and aria-required like the fields the form itself requires.
    ALWAYS_REQUIRED = ("applicant_name", "id_type", "id_number", "phone", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.ALWAYS_REQUIRED:
            self.fields[name].shown_required = True
            self.fields[name].widget.attrs["aria-required"] = "true"
        for name in self.STATED_LIMITS:
            field = self.fields[name]
            limit = _("最多 %(n)s 个字。") % {"n": MAX_LENGTHS[name]}
            field.help_text = f"{field.help_text}{limit}" if field.help_text else limit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in APPLICATION_FIELDS}
        try:
            self.application = application_check(values)
        except RequestError as exc:
            for name, messages in exc.fields.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return cleaned


class ApplicationForm(ApplicationFieldsForm):
    organisation = forms.ModelChoiceField(label=gettext_lazy("向哪个机关申请"), queryset=None, empty_label="——")
    files = ApplicantFilesField(
        label=gettext_lazy("身份证明等材料（选填）"),
        help_text=gettext_lazy("PDF、JPG 或 PNG，每个不超过 5 MB，最多 3 个。"),
    )
    pledge = forms.BooleanField(
        label=gettext_lazy("我确认以上信息真实、准确"),
        error_messages={"required": gettext_lazy("请确认所填信息真实、准确。")},
    )

    field_order = ["organisation"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].error_messages["required"] = _("请选择受理机关。")
        self.fields["applicant_type"].error_messages["required"] = _("请选择申请人类型。")
        self.fields["information_form"].error_messages["required"] = _("请选择信息的载体形式。")
        self.fields["delivery"].error_messages["required"] = _("请选择获取信息的方式。")


class RegisterForm(ApplicationFieldsForm):
    """Staff enter a paper, fax or oral application (R20, R21)."""

    organisation = forms.ModelChoiceField(label=gettext_lazy("受理机关"), queryset=None)
    channel = forms.ChoiceField(
        label=gettext_lazy("申请方式"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE]
    )
    arrived_on = forms.DateField(
        label=gettext_lazy("到达日期"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy(
            "当面、口头：提交之日；邮寄：签收之日；平信、传真：收到之日（受理时再确认收到申请之日）。"
        ),
    )
    note = forms.CharField(label=gettext_lazy("登记说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = StaffFilesField(label=gettext_lazy("申请书扫描件等"))

    field_order = ["organisation", "channel", "arrived_on"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("补正内容"), required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=4000
    )
    files = ApplicantFilesField(label=gettext_lazy("补正材料（选填）"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if MARKUP.search(cleaned.get("answer") or ""):
            self.add_error("answer", _("请不要输入网页标记或脚本（如 <、&#、javascript:），只填写文字。"))
        return cleaned


class StatusLookupForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=30)  # room for spaces typed between the groups
    secret = forms.CharField(
        label=gettext_lazy("查询密码"),
        max_length=40,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=gettext_lazy("不区分大小写，空格和连字符可输可不输。"),
    )


# --- Staff actions ------------------------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    received_on = forms.DateField(
        label=gettext_lazy("收到申请之日"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy("网上申请、传真：双方确认之日；平常信函：与申请人确认之日（《条例》第三十一条）。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=gettext_lazy("承办人"), queryset=None)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                groups__role_group__organisation=case.organisation,
                groups__role_group__role=Role.HANDLER,
            )
            .distinct()
        )


class LinkDocumentForm(forms.Form):
    document = forms.ModelChoiceField(label=gettext_lazy("对应的政府信息"), queryset=None, required=False)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        from disclosure.models import Document

        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = (
            Document.objects.filter(organisation=case.organisation)
            .exclude(status=Document.Status.WITHDRAWN)
            .order_by("-updated_at")
        )


class CorrectionAskForm(forms.Form):
    items = forms.CharField(
        label=gettext_lazy("需要补正的全部事项"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("补正只能告知一次，请一次性列明全部事项（《条例》第三十条）。"),
    )
    period_days = forms.IntegerField(
        label=gettext_lazy("补正期限（工作日）"),
        min_value=5,
        max_value=30,
        initial=15,
    )
    on = forms.DateField(label=gettext_lazy("告知日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate(), "period_days": 15})
        super().__init__(*args, **kwargs)


class StaffCorrectionForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("补正内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    on = forms.DateField(label=gettext_lazy("收到补正材料日期"), widget=DATE_WIDGET)
    files = StaffFilesField(label=gettext_lazy("补正材料"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConsultationForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("征求对象类型"), choices=Consultation.Kind.choices, widget=forms.RadioSelect
    )
    party = forms.CharField(label=gettext_lazy("征求对象"), max_length=200)
    matter = forms.CharField(
        label=gettext_lazy("征求意见的内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    on = forms.DateField(label=gettext_lazy("发出日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConsultationAnswerForm(forms.Form):
    consultation = forms.ModelChoiceField(label=gettext_lazy("征求意见"), queryset=None)
    answer = forms.ChoiceField(
        label=gettext_lazy("对方意见"), choices=Consultation.Answer.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=gettext_lazy("意见内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    on = forms.DateField(label=gettext_lazy("收到意见日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = case.consultations.filter(answered_on__isnull=True)


class ExtensionProposeForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("延长（工作日）"), min_value=1, max_value=MAX_EXTENSION_DAYS, initial=MAX_EXTENSION_DAYS
    )
    reason = forms.CharField(label=gettext_lazy("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审批意见"),
        widget=forms.RadioSelect,
        choices=[("approve", gettext_lazy("同意延期")), ("decline", gettext_lazy("不同意"))],
    )
    note = forms.CharField(label=gettext_lazy("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FeeNoticeForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("收费方式"),
        widget=forms.RadioSelect,
        choices=[c for c in FeeMethod.choices if c[0]],
        help_text=gettext_lazy("按件或按量只能选择一种（《条例》第四十二条）。"),
    )
    pages = forms.IntegerField(label=gettext_lazy("页数（按量计收时）"), min_value=1, max_value=100_000, required=False)
    on = forms.DateField(label=gettext_lazy("通知日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DateForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("日期"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WithdrawForm(NoteForm, DateForm):
    """The date the applicant withdrew and how."""


class ReplyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("办理结果"), choices=[("", "——")] + [(c, Outcome(c).label) for c in REPLY_OUTCOMES]
    )
    referral_organisation = forms.CharField(label=gettext_lazy("负责该信息的机关"), required=False, max_length=200)
    referral_contact = forms.CharField(label=gettext_lazy("该机关的联系方式"), required=False, max_length=200)
    letter = forms.CharField(
        label=gettext_lazy("答复书正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 90}),
        help_text=gettext_lazy(
            "选择办理结果后点“生成答复书草稿”，再修改。正文写明收到申请的情况、审查的事实和所依据的条款；"
            "标题、文号、称谓、救济途径、落款和日期由系统生成，不必在正文中重复。"
        ),
    )
    on = forms.DateField(label=gettext_lazy("答复日期"), widget=DATE_WIDGET)
    files = StaffFilesField(label=gettext_lazy("提供的政府信息等附件"))
    third_party_reason = forms.CharField(
        label=gettext_lazy("涉及第三方的理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        help_text=gettext_lazy(
            "第三方同意公开而仍以第三方权益为由不予公开，或第三方不同意而决定公开（须说明不公开可能对公共利益造成重大影响）时填写。"
        ),
    )
    third_party_notified_on = forms.DateField(
        label=gettext_lazy("书面告知第三方日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy(
            "第三方不同意而决定公开的，公开前须将决定公开的内容和理由书面告知第三方（第三十二条）。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("逾期补正的正当理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "例如：补正材料已在期限内寄出，因邮路延误逾期送达（附邮戳或查询记录）。只能重新开启一次。"
        ),
    )


class WithheldPartForm(forms.Form):
    part = forms.CharField(label=gettext_lazy("不予公开的部分"), required=False, max_length=200)
    ground = forms.ChoiceField(label=gettext_lazy("法定理由"), choices=[("", "——")] + Ground.choices, required=False)
    reason = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=300)


WithheldPartFormSet = forms.formset_factory(WithheldPartForm, extra=3, max_num=20)


class ReviewCaseForm(forms.ModelForm):
    """Recorded from the case page; the service checks it against the case (R29). On a case not yet replied to,
    the review can only be about the failure to reply, so that is what the form starts with."""

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.request = case
        self.fields["subject"].required = False  # left out, it is about the reply (the model's default)
        if case is not None:
            self.instance.organisation = case.organisation
            if case.is_open:
                self.initial.setdefault("subject", ReviewCase.Subject.NO_REPLY)

    def clean_subject(self) -> str:
        return self.cleaned_data.get("subject") or ReviewCase.Subject.REPLY

    class Meta:
        model = ReviewCase
        fields = [
            "subject",
            "kind",
            "after_review",
            "filed_on",
            "authority",
            "case_number",
            "result",
            "concluded_on",
            "note",
        ]
        widgets = {"filed_on": DATE_WIDGET, "concluded_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 3})}


class Art44ProposeForm(forms.Form):
    cluster = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("提议理由（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
