from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fanarchive.accounts"
    label = "accounts"
