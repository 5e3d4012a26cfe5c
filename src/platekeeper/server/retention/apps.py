from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "platekeeper.server.retention"
    label = "retention"
    verbose_name = "Retention, evidence holds and export"
