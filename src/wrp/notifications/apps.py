from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "wrp.notifications"
    verbose_name = "通知"
