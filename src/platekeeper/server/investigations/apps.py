from django.apps import AppConfig


class InvestigationsConfig(AppConfig):
    name = "platekeeper.server.investigations"
    label = "investigations"
    verbose_name = "Investigations: canvass, multiple scenes, convoy, exports"
