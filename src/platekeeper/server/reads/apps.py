from django.apps import AppConfig


class ReadsConfig(AppConfig):
    name = "platekeeper.server.reads"
    label = "reads"
