from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "wrp.appointments"
    verbose_name = "预约"
