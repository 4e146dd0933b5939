from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "wrp.tasks"
    label = "wrp_tasks"
    verbose_name = "后台任务"
