from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "wrp.audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from wrp.audit import receivers

        receivers.connect()
