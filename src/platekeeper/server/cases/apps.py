from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "platekeeper.server.cases"
    label = "cases"
