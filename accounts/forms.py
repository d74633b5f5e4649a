from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=32,
        strip=True,
        help_text=_("验证器应用显示的 6 位数字，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
        error_messages={"required": _("请输入验证码。")},
    )


class EnrolmentForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        strip=True,
        help_text=_("扫码或手动添加后，输入验证器应用当前显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("请输入验证码。")},
    )
