from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovopenConfig(AppConfig):
    """The project package, top of the layers (docs/architecture.md): settings, URLs, the office's home and clocks,
    the admin of the jobs and the outbox (ops' models), and the commands that span apps."""

    name = "govopen"
    verbose_name = _("政务公开平台")
