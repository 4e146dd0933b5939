from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "wrp.employment"
    verbose_name = _("员工关联")
