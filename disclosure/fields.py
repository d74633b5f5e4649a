"""Form fields for uploads, shared by the document admin and the applications workflow."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from disclosure.content import AttachmentRejected, check_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once, each passed through ``check_upload`` (type, size, content); cleans to ``CheckedUpload``s."""

    def __init__(self, *args: Any, types: dict | None = None, limit: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        self.types, self.limit = types, limit
        super().__init__(*args, **kwargs)

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
