"""Forms of 我为政府网站找错: the public report and lookup, and the office's answer and refusal. Forms only collect
input; the rules live in ``validation`` and ``services``, whose messages the forms place next to the fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from errorreports.models import ANSWER_MAX, DESCRIPTION_MAX, PAGE_URL_MAX, ErrorReport
from errorreports.services import ErrorReportError, report_check
from errorreports.validation import MAX_LENGTHS


class ErrorReportForm(forms.Form):
    page_url = forms.CharField(
        label=gettext_lazy("出错页面的地址"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("本网站页面的网址或路径；从页面底部的“我为政府网站找错”进入时已自动填写。"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("错误类型"),
        choices=ErrorReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择错误类型。")},
    )
    description = forms.CharField(
        label=gettext_lazy("问题描述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("请写明错误在页面的什么位置、错在哪里、正确的应是什么。"),
    )
    contact_name = forms.CharField(label=gettext_lazy("姓名（选填）"), required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话（选填）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.CharField(
        label=gettext_lazy("电子邮箱（选填）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("填写后，答复时会发送到这个邮箱。"),
    )

    # Required by the service (``report_check``), which words the message when one is missing; marked with * and
    # aria-required like the fields the form itself requires.
    SHOWN_REQUIRED = ("page_url", "description")
    STATED_LIMITS = {
        "page_url": PAGE_URL_MAX,
        "description": DESCRIPTION_MAX,
        "contact_name": MAX_LENGTHS["contact_name"],
    }

    def __init__(self, *args: Any, hosts: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hosts = set(hosts)
        self.report: dict[str, Any] = {}
        for name in self.SHOWN_REQUIRED:
            self.fields[name].shown_required = True
            self.fields[name].widget.attrs["aria-required"] = "true"
        for name, limit in self.STATED_LIMITS.items():
            field = self.fields[name]
            unit = _("最多 %(n)s 个字符。") if name == "page_url" else _("最多 %(n)s 个字。")
            field.help_text = f"{field.help_text}{unit % {'n': limit}}" if field.help_text else unit % {"n": limit}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            self.report = report_check(cleaned, hosts=self.hosts)
        except ErrorReportError as exc:
            for name, messages in exc.fields.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return cleaned


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=40,  # room for spaces typed between the groups
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("提交留言后显示的查询码，如 JC2026-ABCD-EFGH-JKLM；不区分大小写，连字符可输可不输。"),
        error_messages={"required": gettext_lazy("请填写查询码。")},
    )


# --- The office -----------------------------------------------------------------------------------------------------


class AcknowledgeForm(forms.Form):
    """Nothing to fill in: the button is the act."""


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("公开答复"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
        help_text=gettext_lazy(
            "答复在本网站的“网站找错答复”栏目公开，并显示在留言人的查询页面：请写明问题是否属实和处理结果，"
            "不要写入留言人的姓名、电话等个人信息。最多 2000 个字。"
        ),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予处理的理由"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
        help_text=gettext_lazy(
            "如：所指页面不属于本网站、经核实内容无误。理由显示在留言人的查询页面，不在答复栏目中公开。最多 2000 个字。"
        ),
    )
