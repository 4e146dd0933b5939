from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "wrp.documents"
    verbose_name = "材料与文书"
