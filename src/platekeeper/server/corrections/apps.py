from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "platekeeper.server.corrections"
    label = "corrections"
    verbose_name = "Misread corrections"
