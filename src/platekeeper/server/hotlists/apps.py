from django.apps import AppConfig


class HotlistsConfig(AppConfig):
    name = "platekeeper.server.hotlists"
    label = "hotlists"
