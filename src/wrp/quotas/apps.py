from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "wrp.quotas"
    verbose_name = "指标"
