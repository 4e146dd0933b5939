from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "wrp.notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        from wrp.core.events import subscribe
        from wrp.notifications.events import on_event

        subscribe(on_event)  # the services' events, told to the people concerned (wrp.notifications.events)
