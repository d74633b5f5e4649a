"""The public subscribe form: an address, and a field people never see (a trap for form-filling robots)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

TRAP_FIELD = "homepage"


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "我们会先发一封确认邮件到这个邮箱，确认后才开始发送。邮箱只用于发送订阅邮件，加密保存，不会公开。"
        ),
        error_messages={
            "required": gettext_lazy("请填写电子邮箱。"),
            "invalid": gettext_lazy("电子邮箱格式不正确，请检查后重新填写（例如 name@example.com）。"),
            "max_length": gettext_lazy("电子邮箱过长，最多 254 个字符。"),
        },
    )
    # Hidden from people (the wrapper has the ``hidden`` attribute, so screen readers skip it too) and left empty
    # by them; robots that fill every field fill it.
    homepage = forms.CharField(
        label=gettext_lazy("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_trapped(self) -> bool:
        return bool((self.data.get(TRAP_FIELD) or "").strip())
