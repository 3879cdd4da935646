import pytest
from django.core.management import call_command
from django.http import HttpRequest

from guidance.ratings.models import ContentGrade, ExpertReview
from movies.models import Credit, EditorialList, Person, Tag, Title

pytestmark = pytest.mark.django_db

MODELS = [Title, Person, Credit, Tag, ExpertReview, ContentGrade, EditorialList]


def snapshot():
    return {
        model.__name__: sorted(map(str, model.objects.values_list(flat=False))) for model in MODELS
    }


def test_load_demo_loads_run_with_its_facts(client):
    """load_demo loads Run (2020) with its real facts and a full review."""
    call_command("load_demo", verbosity=0)
    run = Title.objects.for_detail_page().get(slug="run-2020")
    assert run.year == 2020 and run.runtime_minutes == 90 and run.mpaa_rating == "PG-13"
    assert run.studio.name == "Hulu"
    assert [c.person.name for c in run.directors] == ["Aneesh Chaganty"]
    assert {(c.person.name, c.character) for c in run.cast} >= {
        ("Sarah Paulson", "Diane"),
        ("Kiera Allen", "Chloe"),
    }
    assert {t.name for t in run.character_strengths} >= {"Courage", "Perseverance"}
    assert "Female actors" in {t.name for t in run.inclusion_tags}
    assert run.expert_review.grades.count() == 9
    assert Title.objects.filter(expert_review__status="published").count() >= 6
    assert EditorialList.objects.exists()
    assert client.get("/movies/run-2020/").status_code == 200


def test_load_demo_twice_changes_nothing():
    """Running load_demo a second time creates and changes nothing."""
    call_command("load_demo", verbosity=0)
    before = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == before


def test_demo_staff_can_sign_in_to_admin(client):
    """The documented demo editor account can open the admin."""
    call_command("load_demo", verbosity=0)
    # django-axes checks every sign-in against its lockouts, so it needs the request.
    assert client.login(
        request=HttpRequest(), username="editor@example.com", password="demo-editor-2026"
    )
    assert client.get("/admin/movies/title/").status_code == 200
