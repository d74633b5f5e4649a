from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergenciesConfig(AppConfig):
    name = "emergencies"
    verbose_name = _("突发事件信息发布")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from emergencies import integrity_kinds

        integrity_kinds.register()
