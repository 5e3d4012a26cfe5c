from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "platekeeper.server.access"
    label = "access"
    verbose_name = "Access control and audit"

    def ready(self) -> None:
        from platekeeper.server.access.setup import sync_roles_and_purposes

        post_migrate.connect(sync_roles_and_purposes, sender=self)
