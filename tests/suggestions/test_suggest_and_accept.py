"""Each kind of suggestion, end to end: the reader's form, the editor's admin, the page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from guidance.suggestions.models import Suggestion, TitleChange
from movies.models import Credit, Tag, Title
from tests.suggestions.conftest import OLD_DATE, proposal_post_data

pytestmark = pytest.mark.django_db


def names(title, kind):
    return sorted(tag.name for tag in title.tags.filter(kind=kind))


def ronan(title):
    return title.credits.get(person__name="Saoirse Ronan")


CASES = [
    pytest.param(
        "inclusion_tags",
        lambda t: {"proposal-add": ["Female directors"]},
        "inclusion",
        lambda t: names(t, Tag.Kind.INCLUSION),
        ["Female actors", "Female directors"],
        "Inclusion information: added Female directors.",
        id="inclusion-add",
    ),
    pytest.param(
        "inclusion_tags",
        lambda t: {
            "proposal-new": "Disability representation",
            "proposal-remove": ["Female actors"],
        },
        "inclusion",
        lambda t: names(t, Tag.Kind.INCLUSION),
        ["Disability representation"],
        "Inclusion information: added Disability representation; removed Female actors.",
        id="inclusion-new-and-remove",
    ),
    pytest.param(
        "runtime_minutes",
        lambda t: {"proposal-value": "134"},
        "detail",
        lambda t: t.runtime_minutes,
        134,
        "Run time changed from 135 minutes to 134 minutes.",
        id="runtime",
    ),
    pytest.param(
        "theatrical_release",
        lambda t: {"proposal-value": "2019-12-24"},
        "detail",
        lambda t: t.theatrical_release,
        dt.date(2019, 12, 24),
        "In theaters changed from December 25, 2019 to December 24, 2019.",
        id="theatrical-release",
    ),
    pytest.param(
        "streaming_release",
        lambda t: {"proposal-value": "2020-03-10"},
        "detail",
        lambda t: t.streaming_release,
        dt.date(2020, 3, 10),
        "On DVD or streaming added: March 10, 2020.",
        id="streaming-release",
    ),
    pytest.param(
        "mpaa_rating",
        lambda t: {"proposal-value": "PG-13"},
        "detail",
        lambda t: t.mpaa_rating,
        "PG-13",
        "MPAA rating changed from PG to PG-13.",
        id="mpaa-rating",
    ),
    pytest.param(
        "mpaa_explanation",
        lambda t: {"proposal-value": "thematic elements"},
        "detail",
        lambda t: t.mpaa_explanation,
        "thematic elements",
        "MPAA explanation changed from thematic elements and brief language to thematic elements.",
        id="mpaa-explanation",
    ),
    pytest.param(
        "studio",
        lambda t: {"proposal-value": "Regency Enterprises"},
        "detail",
        lambda t: t.studio.name,
        "Regency Enterprises",
        "Studio changed from Columbia Pictures to Regency Enterprises.",
        id="studio",
    ),
    pytest.param(
        "genres",
        lambda t: {"proposal-new": "Romance"},
        "detail",
        lambda t: names(t, Tag.Kind.GENRE),
        ["Drama", "Romance"],
        "Genres: added Romance.",
        id="genres",
    ),
    pytest.param(
        "topics",
        lambda t: {"proposal-new": "Sisters"},
        "detail",
        lambda t: names(t, Tag.Kind.TOPIC),
        ["Sisters"],
        "Topics: added Sisters.",
        id="topics",
    ),
    pytest.param(
        "character_strengths",
        lambda t: {"proposal-new": "Perseverance"},
        "detail",
        lambda t: names(t, Tag.Kind.STRENGTH),
        ["Perseverance"],
        "Character strengths: added Perseverance.",
        id="character-strengths",
    ),
    pytest.param(
        "credit-add",
        lambda t: {
            "proposal-role": "actor",
            "proposal-name": "Emma Watson",
            "proposal-character": "Meg March",
        },
        "credit",
        lambda t: [(c.person.name, c.character) for c in t.cast],
        [("Saoirse Ronan", "Jo Marsh"), ("Emma Watson", "Meg March")],
        "Cast and crew: added Emma Watson as Meg March.",
        id="credit-add",
    ),
    pytest.param(
        "credit-correct",
        lambda t: {"proposal-credit": ronan(t).pk, "proposal-character": "Jo March"},
        "credit",
        lambda t: ronan(t).character,
        "Jo March",
        "Cast and crew: changed Saoirse Ronan as Jo Marsh to Saoirse Ronan as Jo March.",
        id="credit-correct",
    ),
    pytest.param(
        "offer-add",
        lambda t: {
            "proposal-service": "Apple TV",
            "proposal-kind": "rent",
            "proposal-url": "https://tv.apple.com/little-women",
        },
        "offer",
        lambda t: sorted((o.service.name, o.kind, o.url) for o in t.offers.all()),
        [
            ("Apple TV", "rent", "https://tv.apple.com/little-women"),
            ("Netflix", "subscription", ""),
        ],
        "Where to watch: added Apple TV (rent).",
        id="offer-add",
    ),
    pytest.param(
        "offer-remove",
        lambda t: {"proposal-offer": t.offers.get().pk},
        "offer",
        lambda t: list(t.offers.all()),
        [],
        "Where to watch: removed Netflix (subscription).",
        id="offer-remove",
    ),
    pytest.param(
        "grid",
        lambda t: {
            "proposal-category": "language",
            "proposal-level": "2",
            "proposal-why": "Two mild swear words.",
        },
        "grid",
        lambda t: t.expert_review.grades.get(category__slug="language").level,
        2,
        "Content grid, Language: level changed from 1 to 2 (out of 5).",
        id="grid",
    ),
]


@pytest.mark.parametrize(("change", "data", "kind", "read", "expected", "description"), CASES)
def test_each_kind_end_to_end(
    client,
    django_capture_on_commit_callbacks,
    reader,
    editor,
    title,
    change,
    data,
    kind,
    read,
    expected,
    description,
):
    """A reader suggests, an editor accepts in admin, the page and its history change."""
    client.force_login(reader)
    response = client.post(
        reverse("suggestions:suggest", args=[title.slug]),
        {"change": change, **data(title), "source": "The film's credits", "message": "Thanks!"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    suggestion = Suggestion.objects.get()
    assert (suggestion.kind, suggestion.status, suggestion.author) == (kind, "pending", reader)
    assert suggestion.source == "The film's credits"

    client.force_login(editor)
    decide_url = reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])
    assert client.get(decide_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url, {**proposal_post_data(suggestion), "note": "Checked it.", "_accept": "1"}
        )
    assert response.status_code == 302, response.content.decode()[:3000]

    title = Title.objects.get(pk=title.pk)
    assert read(title) == expected
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.editor, suggestion.editor_note) == (
        "accepted",
        editor,
        "Checked it.",
    )
    change_row = TitleChange.objects.get(suggestion=suggestion)
    assert change_row.description == description
    assert change_row.changed_by == editor
    assert title.updated_at > OLD_DATE
    assert len(mail.outbox) == 1 and "accepted" in mail.outbox[0].subject
    history = client.get(reverse("suggestions:history", args=[title.slug])).content.decode()
    assert description.replace("'", "&#x27;") in history


def test_something_else_is_accepted_without_touching_the_page(
    client, django_capture_on_commit_callbacks, reader, editor, title
):
    """Accepting a free-text suggestion records the decision but changes nothing itself."""
    client.force_login(reader)
    client.post(
        reverse("suggestions:suggest", args=[title.slug]),
        {"change": "other", "proposal-text": "The tagline is missing."},
    )
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == "other"
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:suggestions_suggestion_change", args=[suggestion.pk]),
            {"note": "Added it by hand.", "_accept": "1"},
        )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert not TitleChange.objects.exists()
    assert Title.objects.get(pk=title.pk).updated_at == OLD_DATE
    assert "Added it by hand." in mail.outbox[0].body


def test_reject_keeps_the_page_and_tells_the_suggester(
    client, django_capture_on_commit_callbacks, reader, editor, title
):
    """Rejecting needs a note, leaves the title alone and emails the note."""
    client.force_login(reader)
    client.post(
        reverse("suggestions:suggest", args=[title.slug]),
        {"change": "runtime_minutes", "proposal-value": "90"},
    )
    suggestion = Suggestion.objects.get()
    client.force_login(editor)
    url = reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])
    response = client.post(url, {"note": "", "_reject": "1"})
    assert response.status_code == 200
    assert "Tell the suggester why" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "The film runs 135 minutes.", "_reject": "1"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected" and suggestion.decided_at is not None
    assert Title.objects.get(pk=title.pk).runtime_minutes == 135
    assert Title.objects.get(pk=title.pk).updated_at == OLD_DATE
    assert not TitleChange.objects.exists()
    assert "not accepted" in mail.outbox[0].subject
    assert "The film runs 135 minutes." in mail.outbox[0].body


def test_accepted_offer_price_and_credit_order_are_sensible(reader, editor, title):
    """A new credit goes last in its role; an added offer has no price yet."""
    from guidance.suggestions.services import accept_suggestion
    from tests.suggestions.conftest import suggest

    suggestion = suggest(
        title,
        reader,
        "credits",
        {"action": "add", "role": "actor", "name": "Florence Pugh", "character": "Amy March"},
    )
    accept_suggestion(suggestion=suggestion, editor=editor)
    cast = list(Credit.objects.filter(title=title, role="actor").order_by("order", "pk"))
    assert [c.person.name for c in cast] == ["Saoirse Ronan", "Florence Pugh"]
    offer = suggest(
        title, reader, "offers", {"action": "add", "service": "netflix", "kind": "buy", "url": ""}
    )
    assert offer.proposed["service"] == "Netflix"  # matched to the service we know
    accept_suggestion(suggestion=offer, editor=editor)
    assert title.offers.get(kind="buy").price is None
    assert title.offers.filter(service__name="Netflix").count() == 2
    assert Decimal("0") not in [o.price for o in title.offers.all()]
