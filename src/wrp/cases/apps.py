from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wrp.cases"
    verbose_name = "案件"
