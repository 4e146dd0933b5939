from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "wrp.permits"
    verbose_name = _("工作居住证")
