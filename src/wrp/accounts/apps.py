from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wrp.accounts"
    verbose_name = "用户与角色"
