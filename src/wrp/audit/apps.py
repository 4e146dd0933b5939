from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wrp.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from wrp.audit import receivers

        receivers.connect()
