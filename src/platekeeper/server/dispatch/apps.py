from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "platekeeper.server.dispatch"
    label = "dispatch"
