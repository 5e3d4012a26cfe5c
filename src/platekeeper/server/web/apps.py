from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "platekeeper.server.web"
    label = "web"
