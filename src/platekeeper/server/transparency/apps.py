from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "platekeeper.server.transparency"
    label = "transparency"
