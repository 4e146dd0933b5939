from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "wrp.tasks"
    label = "wrp_tasks"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from wrp.tasks import jobs  # noqa: F401 - registers the periodic jobs
