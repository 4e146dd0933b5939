from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "wrp.appointments"
    verbose_name = _("办理预约")
