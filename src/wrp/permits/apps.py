from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "wrp.permits"
    verbose_name = "工作居住证"
