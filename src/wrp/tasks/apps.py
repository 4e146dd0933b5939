from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "wrp.tasks"
    label = "wrp_tasks"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from wrp.tasks import jobs  # noqa: F401 - registers the periodic jobs
