from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "platekeeper.server.approvals"
    label = "approvals"
