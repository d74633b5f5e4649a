from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    """Documents 政府信息, attribute review, publishing, reposts, interpretations and search (issues 3 and 5)."""

    name = "disclosure"
    verbose_name = _("政府信息")

    def ready(self) -> None:
        from disclosure import integrity_kinds

        integrity_kinds.register()
