from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErrorReportsConfig(AppConfig):
    name = "errorreports"
    verbose_name = _("网站找错")
    default_auto_field = "django.db.models.BigAutoField"
