from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "wrp.portal"
    verbose_name = "门户"
