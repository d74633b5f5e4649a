from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    """Applications for disclosure on request 依申请公开 on the legal clock (issue 4)."""

    name = "requests_app"
    verbose_name = _("依申请公开")

    def ready(self) -> None:
        # Registers the system check that warns when no Chinese font is available for the reply letter's PDF.
        from requests_app import letter_pdf  # noqa: F401
