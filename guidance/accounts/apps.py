from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "guidance.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from guidance.accounts.groups import sync_groups_after_migrate

        # Groups are kept in code (groups.py) and brought up to date after every
        # migrate; sync_groups creates any permission that does not exist yet.
        post_migrate.connect(
            sync_groups_after_migrate, sender=self, dispatch_uid="accounts.sync_groups"
        )
