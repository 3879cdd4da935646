"""Recording admin edits, "Last updated", the public history and the editors' queue."""

import pytest
from django.urls import reverse

from guidance.suggestions.models import Suggestion, TitleChange
from guidance.suggestions.services import accept_suggestion, reject_suggestion
from movies.models import Tag, Title
from tests import factories as f
from tests.suggestions.conftest import OLD_DATE, suggest, title_admin_data

pytestmark = pytest.mark.django_db


def edit_in_admin(client, title, **overrides):
    response = client.post(
        reverse("admin:movies_title_change", args=[title.pk]), title_admin_data(title, **overrides)
    )
    assert response.status_code == 302, response.content.decode()[:4000]
    return Title.objects.get(pk=title.pk)


def history_html(client, title):
    return client.get(reverse("suggestions:history", args=[title.slug])).content.decode()


# Admin edits --------------------------------------------------------------------------


def test_saving_the_admin_form_unchanged_records_nothing(client, editor, title):
    """An untouched save neither writes a change nor moves "Last updated"."""
    client.force_login(editor)
    saved = edit_in_admin(client, title)
    assert saved.updated_at == OLD_DATE
    assert not TitleChange.objects.exists()


def test_admin_edit_records_each_changed_field(client, editor, title):
    """Run time, inclusion tags, a new credit and a removed offer each get a change row."""
    client.force_login(editor)
    directors = f.make_tag(Tag.Kind.INCLUSION, "Female directors")
    emma = f.make_person("Emma Watson")
    data = title_admin_data(title, runtime_minutes="134")
    data["inclusion_tags"] = [*data["inclusion_tags"], directors.pk]
    data.update(
        {
            "credits-TOTAL_FORMS": "3",
            "credits-2-title": title.pk,
            "credits-2-person": emma.pk,
            "credits-2-role": "actor",
            "credits-2-character": "Meg March",
            "credits-2-order": "5",
            "offers-0-DELETE": "on",
        }
    )
    response = client.post(reverse("admin:movies_title_change", args=[title.pk]), data)
    assert response.status_code == 302, response.content.decode()[:4000]

    changes = {change.field: change for change in TitleChange.objects.all()}
    assert set(changes) == {"runtime_minutes", "inclusion_tags", "credits", "offers"}
    assert (changes["runtime_minutes"].before, changes["runtime_minutes"].after) == (135, 134)
    assert changes["inclusion_tags"].after == ["Female actors", "Female directors"]
    assert changes["credits"].description == "Cast and crew: added Emma Watson as Meg March."
    assert changes["offers"].description == "Where to watch: removed Netflix (subscription)."
    for change in changes.values():
        assert change.changed_by == editor and change.suggestion is None and change.is_public
    saved = Title.objects.get(pk=title.pk)
    assert saved.updated_at > OLD_DATE
    assert len({change.created_at for change in changes.values()}) == 1
    assert saved.updated_at == changes["runtime_minutes"].created_at

    html = history_html(client, title)
    assert "Run time changed from 135 minutes to 134 minutes." in html
    assert "Inclusion information: added Female directors." in html
    assert "Suggested by a reader" not in html


def test_address_and_status_changes_are_recorded_privately(client, editor, title):
    """A new slug or status is kept for editors but does not move "Last updated"."""
    client.force_login(editor)
    saved = edit_in_admin(client, title, slug="little-women-2019-film", status="draft")
    assert saved.updated_at == OLD_DATE
    changes = TitleChange.objects.order_by("field")
    assert [(c.field, c.is_public) for c in changes] == [("slug", False), ("status", False)]
    assert changes.get(field="status").description == "Made a draft."
    assert not Title.objects.get(pk=title.pk).changes.filter(is_public=True).exists()


def test_admin_edit_of_the_title_name_is_public(client, editor, title):
    """Renaming a title is page content: recorded publicly and "Last updated" moves."""
    client.force_login(editor)
    saved = edit_in_admin(client, title, name="Little Women (director's cut)")
    assert saved.updated_at > OLD_DATE
    change = TitleChange.objects.get()
    assert change.description == (
        "Title changed from Little Women to Little Women (director's cut)."
    )


def test_adding_a_title_in_admin_starts_its_history(client, editor):
    """A title made in admin gets an "Added to the catalog" entry."""
    client.force_login(editor)
    data = {
        "name": "Wadjda",
        "slug": "wadjda-2012",
        "kind": "movie",
        "status": "published",
        "year": "2012",
    }
    for prefix in ["credits", "offers", "photos", "videos"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:movies_title_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    title = Title.objects.get(slug="wadjda-2012")
    assert list(title.changes.values_list("description", flat=True)) == ["Added to the catalog."]


# "Last updated" and the public history ------------------------------------------------


def test_last_updated_moves_only_when_content_changes(reader, editor, title):
    """Rejections and free-text acceptances leave "Last updated" alone; real changes move it."""
    reject_suggestion(
        suggestion=suggest(title, reader, "runtime_minutes", {"value": 100}),
        editor=editor,
        note="No.",
    )
    accept_suggestion(
        suggestion=suggest(title, reader, "other", {"text": "Typo in the tagline."}),
        editor=editor,
    )
    assert Title.objects.get(pk=title.pk).updated_at == OLD_DATE
    accept_suggestion(
        suggestion=suggest(title, reader, "runtime_minutes", {"value": 134}), editor=editor
    )
    assert Title.objects.get(pk=title.pk).updated_at > OLD_DATE


def test_title_page_links_last_updated_to_the_history(client, reader, editor, title):
    """The title page shows the new date, linked to the history page."""
    accept_suggestion(
        suggestion=suggest(title, reader, "inclusion_tags", {"add": ["Female directors"]}),
        editor=editor,
    )
    title.refresh_from_db()
    html = client.get(title.get_absolute_url()).content.decode()
    history_url = reverse("suggestions:history", args=[title.slug])
    assert f'<a class="history-link" href="{history_url}">Last updated' in html
    assert title.updated_at.strftime("%B %-d, %Y") in html
    assert "January 15, 2024" not in html
    assert "Female directors" in html


def test_history_is_plain_and_private_details_stay_out(
    client, reader, editor, title, django_assert_max_num_queries
):
    """The history shows what changed and when; no emails, names, notes or private rows."""
    suggestion = suggest(
        title,
        reader,
        "inclusion_tags",
        {"add": ["Female directors"]},
        message="My private message",
        source="https://example.com/private-source",
    )
    accept_suggestion(suggestion=suggestion, editor=editor, note="Private editor note")
    client.force_login(editor)
    edit_in_admin(client, title, slug="little-women-2019b", runtime_minutes="134")
    client.logout()
    title = Title.objects.get(pk=title.pk)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("suggestions:history", args=[title.slug]))
    html = response.content.decode()
    assert "Inclusion information: added Female directors." in html
    assert "Suggested by a reader" in html
    assert "Run time changed from 135 minutes to 134 minutes." in html
    for private in [
        reader.email,
        editor.email,
        reader.display_name,
        editor.display_name,
        "My private message",
        "private-source",
        "Private editor note",
        "Address",
        "little-women-2019b</",
    ]:
        assert private not in html
    assert html.index("Run time changed") < html.index("added Female directors")


def test_history_without_changes_says_so(client, title):
    """A page nobody has changed says that plainly."""
    assert "No changes have been recorded" in history_html(client, title)


# The editors' queue -------------------------------------------------------------------


def test_queue_filters_and_search(client, reader, editor, title):
    """Editors filter the queue by status, kind and title, and search it."""
    other_title = f.make_title(name="Coco")
    suggest(title, reader, "runtime_minutes", {"value": 134})
    suggest(other_title, reader, "inclusion_tags", {"add": ["Latino representation"]})
    rejected = suggest(title, reader, "other", {"text": "Something about the poster."})
    reject_suggestion(suggestion=rejected, editor=editor, note="No.")
    client.force_login(editor)
    url = reverse("admin:suggestions_suggestion_changelist")

    def rows(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return response.context["cl"].result_count

    assert rows({}) == 3
    assert rows({"status__exact": "pending"}) == 2
    assert rows({"kind__exact": "inclusion"}) == 1
    assert rows({"title__id__exact": other_title.pk}) == 1
    assert rows({"q": "latino"}) == 1
    assert rows({"q": reader.email}) == 3


def test_queue_page_query_count_does_not_grow(
    client, reader, editor, title, django_assert_max_num_queries
):
    """The queue's queries stay fixed however many suggestions it lists."""
    for n in range(15):
        suggest(title, f.make_user(), "runtime_minutes", {"value": 100 + n})
    client.force_login(editor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert response.status_code == 200


def test_bulk_accept_leaves_stale_ones_for_a_closer_look(client, reader, editor, title):
    """Accepting several at once applies the fresh ones and leaves a stale one pending."""
    fresh = suggest(title, reader, "inclusion_tags", {"add": ["Female directors"]})
    stale = suggest(title, reader, "runtime_minutes", {"value": 134})
    Title.objects.filter(pk=title.pk).update(runtime_minutes=136)
    client.force_login(editor)
    url = reverse("admin:suggestions_suggestion_changelist")
    selection = {"action": "accept_selected", "_selected_action": [fresh.pk, stale.pk]}
    confirm = client.post(url, selection)
    assert confirm.status_code == 200
    assert "Accept these 2 suggestions" in confirm.content.decode()
    response = client.post(url, {**selection, "confirm": "yes", "note": "Thanks!"}, follow=True)
    html = response.content.decode()
    assert "1 suggestion accepted." in html and "Left for a closer look" in html
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == ("accepted", "pending")
    assert fresh.editor_note == "Thanks!"


def test_bulk_reject_needs_a_note(client, reader, editor, title):
    """Rejecting several at once asks for a note, then rejects them all."""
    one = suggest(title, reader, "runtime_minutes", {"value": 134})
    two = suggest(title, reader, "other", {"text": "Spam"})
    client.force_login(editor)
    url = reverse("admin:suggestions_suggestion_changelist")
    selection = {"action": "reject_selected", "_selected_action": [one.pk, two.pk]}
    response = client.post(url, {**selection, "confirm": "yes", "note": ""})
    assert response.status_code == 200
    assert "Tell the suggesters why" in response.content.decode()
    assert Suggestion.objects.pending().count() == 2
    client.post(url, {**selection, "confirm": "yes", "note": "Not on the page's subject."})
    assert Suggestion.objects.filter(status="rejected").count() == 2


def test_reviewers_do_not_see_the_queue_and_nobody_edits_or_deletes(client, reader, title):
    """Reviewers get 403; even editors have no add, change or delete on suggestions."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    client.force_login(f.make_staff(groups=["Reviewers"]))
    assert client.get(reverse("admin:suggestions_suggestion_changelist")).status_code == 403
    client.force_login(f.make_staff(groups=["Editors"]))
    assert client.get(reverse("admin:suggestions_suggestion_add")).status_code == 403
    delete_url = reverse("admin:suggestions_suggestion_delete", args=[suggestion.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Suggestion.objects.filter(pk=suggestion.pk).exists()


def test_change_record_is_read_only_for_editors(client, reader, editor, title):
    """Editors read the record of applied changes in admin but cannot alter it."""
    accept_suggestion(
        suggestion=suggest(title, reader, "runtime_minutes", {"value": 134}), editor=editor
    )
    change = TitleChange.objects.get()
    client.force_login(editor)
    listing = client.get(reverse("admin:suggestions_titlechange_changelist"))
    assert listing.status_code == 200
    assert "Run time changed from 135 minutes to 134 minutes." in listing.content.decode()
    url = reverse("admin:suggestions_titlechange_change", args=[change.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"description": "Rewritten"})
    change.refresh_from_db()
    assert change.description.startswith("Run time changed")
