from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wrp.api"
    verbose_name = "API"
