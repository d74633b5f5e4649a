from django.apps import AppConfig


class AuditlogConfig(AppConfig):
    name = "auditlog"
    verbose_name = "安全审计日志"

    def ready(self) -> None:
        from auditlog import hooks  # noqa: F401  (connects the signal receivers)
