from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "platekeeper.server.records"
    label = "records"
