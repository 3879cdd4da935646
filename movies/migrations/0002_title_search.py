"""
Search: normalised search copies on Title, PostgreSQL's vector and trigram indexes.

GIN indexes and pg_trgm exist only on PostgreSQL, so the indexes are database-only
operations run there alone (`AddIndexOnPostgres` inside SeparateDatabaseAndState). They
stay out of the migration state on purpose: SQLite rebuilds a table from that state
when a later migration alters it, and would then try to create them.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class AddIndexOnPostgres(migrations.AddIndex):
    """Add an index to the state everywhere, and to the database on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class CreateTrigramExtension(TrigramExtension):
    """Install pg_trgm on PostgreSQL (a no-op elsewhere); leave it installed on the way back."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # Other schemas may use the extension, and SQLite has no extensions to look up.
        pass


def fill_search_fields(apps, schema_editor):
    from movies.search import update_search_fields

    update_search_fields(
        using=schema_editor.connection.alias, title_model=apps.get_model("movies", "Title")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0001_initial"),
    ]

    operations = [
        CreateTrigramExtension(),
        migrations.AddField(
            model_name="title",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="title",
            name="search_people",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="title",
            name="search_studio",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="title",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="title",
            index=models.Index(
                fields=["status", "-year", "name", "id"], name="movies_title_newest_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="title",
            index=models.Index(
                fields=["status", "year", "name", "id"], name="movies_title_oldest_idx"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                AddIndexOnPostgres(
                    model_name="title",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="movies_title_search_idx"
                    ),
                ),
                AddIndexOnPostgres(
                    model_name="title",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("search_name"), name="gin_trgm_ops"
                        ),
                        name="movies_title_name_trgm_idx",
                    ),
                ),
                AddIndexOnPostgres(
                    model_name="title",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("search_people"), name="gin_trgm_ops"
                        ),
                        name="movies_title_people_trgm_idx",
                    ),
                ),
                AddIndexOnPostgres(
                    model_name="title",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.indexes.OpClass(
                            models.F("search_studio"), name="gin_trgm_ops"
                        ),
                        name="movies_title_studio_trgm_idx",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill_search_fields, migrations.RunPython.noop),
    ]
