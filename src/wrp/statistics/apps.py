from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "wrp.statistics"
    label = "wrp_statistics"
    verbose_name = _("办理统计")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wrp.statistics import jobs  # noqa: F401 - registers the daily precompute
