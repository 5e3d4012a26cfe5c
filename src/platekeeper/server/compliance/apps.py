from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "platekeeper.server.compliance"
    label = "compliance"
