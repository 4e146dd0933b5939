from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "wrp.documents"
    verbose_name = _("材料与文书")
