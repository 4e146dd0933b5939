from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "wrp.units"
    verbose_name = _("用人单位账户")
