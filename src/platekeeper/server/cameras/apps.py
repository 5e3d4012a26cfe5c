from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "platekeeper.server.cameras"
    label = "cameras"
