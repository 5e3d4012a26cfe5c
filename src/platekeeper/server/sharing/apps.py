from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "platekeeper.server.sharing"
    label = "sharing"
