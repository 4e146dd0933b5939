from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "wrp.demo"
    verbose_name = "Demo"
