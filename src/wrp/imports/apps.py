from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "wrp.imports"
    label = "imports"
    verbose_name = "批量导入"
