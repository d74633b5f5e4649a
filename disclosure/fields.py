"""Form fields for uploads, shared by the document admin and the applications workflow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from disclosure.content import AttachmentRejected, check_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _limit_text(limit: int | None) -> str:
    megabytes = (limit or settings.GOVOPEN_ATTACHMENT_MAX_BYTES) // (1024 * 1024)
    return _("单个文件不超过 %(mb)s MB。") % {"mb": megabytes}


_lazy_limit_text = lazy(_limit_text, str)


class MultipleFileField(forms.FileField):
    """Several files at once, each passed through ``check_upload`` (type, size, content); cleans to ``CheckedUpload``s."""

    def __init__(self, *args: Any, types: dict | None = None, limit: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        self._base_help = kwargs.pop("help_text", "")
        super().__init__(*args, **kwargs)
        self.types, self.limit = types, limit

    @property
    def limit(self) -> int | None:
        return self._limit

    @limit.setter
    def limit(self, value: int | None) -> None:
        # The help text ends with the real size limit, read when the form is shown (the setting may differ by site).
        self._limit = value
        self.help_text = format_lazy("{}{}", self._base_help, _lazy_limit_text(value))

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_upload(upload, types=self.types, limit=self.limit))
            except AttachmentRejected as exc:
                errors.append(str(exc))
        if errors:
            raise ValidationError(errors + [_("请重新选择文件（浏览器不会保留已选择的文件）。")])
        return checked
