from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "platekeeper.server.alerts"
    label = "alerts"
