from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wrp.notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from wrp.core.events import subscribe
        from wrp.notifications.events import on_event

        subscribe(on_event)  # the services' events, told to the people concerned (wrp.notifications.events)

        from wrp.accounts.codes import contact_channels_use
        from wrp.notifications.account_contacts import NotificationContacts

        contact_channels_use(NotificationContacts())  # the one-time codes of registration and password reset
