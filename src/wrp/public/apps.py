from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "wrp.public"
    verbose_name = "公开页面"
