from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "platekeeper.server.agencies"
    label = "agencies"
