from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "wrp.units"
    verbose_name = "用人单位"
