from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "wrp.reference"
    verbose_name = _("基础数据（工资表、节假日）")
