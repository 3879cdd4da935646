"""
The staff groups and exactly the permissions each one holds.

Kept in code so that every environment has the same groups; `sync_groups` runs after
every `migrate` (see apps.py) and is idempotent. Permissions are named
"app_label.codename"; a group holds exactly what is listed here.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions


def _crud(app_label, *models, actions=("view", "add", "change", "delete")):
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


CATALOG_MODELS = (
    "title",
    "person",
    "credit",
    "studio",
    "tag",
    "streamingservice",
    "offer",
    "photo",
    "video",
    "editoriallist",
    "editoriallistitem",
)

GROUP_PERMISSIONS = {
    # Editors keep the catalog and the expert reviews.
    "Editors": [
        *_crud("movies", *CATALOG_MODELS),
        *_crud("ratings", "expertreview", "contentgrade"),
        "ratings.view_contentcategory",
        "ratings.view_levelmeaning",
        # "Suggest an Update": work the queue and read the record of applied changes.
        "suggestions.view_suggestion",
        "suggestions.decide_suggestion",
        "suggestions.view_titlechange",
    ],
    # Reviewers write expert reviews and grades; they may look at titles.
    "Reviewers": [
        *_crud("ratings", "expertreview", "contentgrade", actions=("view", "add", "change")),
        "ratings.view_contentcategory",
        "ratings.view_levelmeaning",
        "movies.view_title",
        "movies.view_person",
        "movies.view_tag",
    ],
    # Moderators work the queue of reported reviews (keep, hide, remove, restore),
    # suspend accounts from posting and keep the blocked-phrase list; they read reviews,
    # reports, the moderation log and accounts. They cannot edit titles or expert reviews.
    "Moderators": [
        "moderation.view_reportedreview",
        "moderation.moderate_review",
        "moderation.suspend_user",
        "moderation.view_report",
        "moderation.view_moderationaction",
        "moderation.view_suspension",
        *_crud("moderation", "blockedphrase", actions=("view", "add", "change")),
        "reviews.view_communityreview",
        "accounts.view_user",
    ],
}


def sync_groups(using="default"):
    """Create the staff groups and set their permissions to exactly GROUP_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    for name, perm_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".", 1)
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is None:
                raise LookupError(f"Group {name!r} names an unknown permission {perm_name!r}.")
            wanted.append(perm)
        group.permissions.set(wanted)


def sync_groups_after_migrate(sender, using="default", **kwargs):
    """Bring the groups up to date at the end of `migrate`."""
    sync_groups(using=using)
