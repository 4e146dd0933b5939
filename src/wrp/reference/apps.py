from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "wrp.reference"
    verbose_name = "基础数据（工资表、节假日）"
