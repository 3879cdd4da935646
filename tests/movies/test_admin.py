import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from guidance.ratings.models import ContentCategory
from movies.models import Tag, Title
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:movies_title_changelist",
    "admin:movies_person_changelist",
    "admin:movies_tag_changelist",
    "admin:movies_studio_changelist",
    "admin:movies_streamingservice_changelist",
    "admin:movies_editoriallist_changelist",
    "admin:ratings_expertreview_changelist",
    "admin:ratings_contentcategory_changelist",
]


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_editor_opens_every_changelist(client, url_name):
    """An editor can open every catalog and rating changelist, with data in it."""
    title = f.make_title()
    f.make_review(title)
    f.make_list([title])
    client.force_login(f.make_staff(groups=["Editors"]))
    response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_title_changelist_search_and_filters(client):
    """Editors search titles by cast name and filter them by status."""
    title = f.make_title(name="Run")
    f.make_credit(title, person=f.make_person("Kiera Allen"))
    f.make_title(name="Other")
    client.force_login(f.make_staff(groups=["Editors"]))
    html = client.get(reverse("admin:movies_title_changelist"), {"q": "kiera"}).content.decode()
    assert "Run" in html and "Other" not in html
    response = client.get(reverse("admin:movies_title_changelist"), {"status__exact": "draft"})
    assert response.status_code == 200


def test_reviewer_cannot_edit_titles(client):
    """A reviewer may look at titles but not change them."""
    title = f.make_title()
    client.force_login(f.make_staff(groups=["Reviewers"]))
    assert client.get(reverse("admin:movies_title_change", args=[title.pk])).status_code == 200
    response = client.post(reverse("admin:movies_title_change", args=[title.pk]), {})
    assert response.status_code == 403


def test_groups_exist_with_permissions():
    """Migrations leave the Editors and Reviewers groups with their permissions."""
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Reviewers")
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    reviewer_perms = set(reviewers.permissions.values_list("codename", flat=True))
    assert {"change_title", "add_credit", "change_expertreview"} <= editor_perms
    assert "change_expertreview" in reviewer_perms
    assert "change_title" not in reviewer_perms


def test_editor_adds_a_title_with_tags_through_admin(client):
    """Saving the admin form stores the four tag fields in one set of tags."""
    genre = f.make_tag(Tag.Kind.GENRE, "Comedy")
    inclusion = f.make_tag(Tag.Kind.INCLUSION, "Female directors")
    client.force_login(f.make_staff(groups=["Editors"]))
    data = {
        "name": "New Film",
        "slug": "new-film-2024",
        "kind": "movie",
        "status": "published",
        "year": "2024",
        "genres": [genre.pk],
        "inclusion_tags": [inclusion.pk],
        "updated_at_0": "2024-01-01",
        "updated_at_1": "00:00:00",
    }
    for prefix in ["credits", "offers", "photos", "videos"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:movies_title_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    title = Title.objects.get(slug="new-film-2024")
    assert set(title.tags.all()) == {genre, inclusion}


def test_new_expert_review_form_prefills_one_grade_per_category(client):
    """The add form for an expert review offers one grid row per category."""
    client.force_login(f.make_staff(groups=["Editors"]))
    html = client.get(reverse("admin:ratings_expertreview_add")).content.decode()
    assert f'name="grades-TOTAL_FORMS" value="{ContentCategory.objects.count()}"' in html


def test_title_change_form_shows_current_tags_selected(client):
    """The change form offers each kind's tags and pre-selects the title's own."""
    title = f.make_title()
    thriller = f.make_tag(Tag.Kind.GENRE, "Thriller")
    comedy = f.make_tag(Tag.Kind.GENRE, "Comedy")
    courage = f.make_tag(Tag.Kind.STRENGTH, "Courage")
    title.tags.add(thriller, courage)
    client.force_login(f.make_staff(groups=["Editors"]))
    html = client.get(reverse("admin:movies_title_change", args=[title.pk])).content.decode()
    assert f'<option value="{thriller.pk}" selected>Thriller' in html
    assert f'<option value="{comedy.pk}">Comedy' in html
    assert f'<option value="{courage.pk}" selected>Courage' in html
