"""The allow-list, bad input, stale suggestions, partial acceptance, permissions, limits."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guidance.suggestions.editable import NotSuggestable
from guidance.suggestions.models import Suggestion, TitleChange
from guidance.suggestions.services import (
    StaleSuggestion,
    accept_suggestion,
    reject_suggestion,
)
from movies.models import Tag, Title
from tests import factories as f
from tests.suggestions.conftest import proposal_post_data, suggest

pytestmark = pytest.mark.django_db


def suggest_url(title):
    return reverse("suggestions:suggest", args=[title.slug])


def decide_url(suggestion):
    return reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])


# Who may suggest, and what -------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, title):
    """Signing in is required; the sign-in link brings the visitor back to the form."""
    url = suggest_url(title) + "?change=inclusion_tags"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"] and "suggest" in response["Location"]


def test_title_page_links_to_the_inclusion_form(client, title):
    """The title page asks about diversity and links to the suggestion form."""
    html = client.get(title.get_absolute_url()).content.decode()
    assert "Did we miss something on diversity?" in html
    assert f'{suggest_url(title)}?change=inclusion_tags">Suggest an Update</a>' in html


def test_chooser_lists_every_kind_of_change(client, reader, title):
    """Without a choice the page lists what can be changed."""
    client.force_login(reader)
    html = client.get(suggest_url(title)).content.decode()
    for label in [
        "Add or remove tags",
        "Run time",
        "Studio",
        "Character strengths",
        "Add someone to the cast or crew",
        "Correct a name or character",
        "Add a place to watch it",
        "Remove a place to watch it",
        "Disagree with a level",
        "Tell us in your own words",
    ]:
        assert label in html


def test_form_shows_the_current_value_beside_the_proposal(client, reader, title):
    """The run-time form says what the page says now."""
    client.force_login(reader)
    html = client.get(suggest_url(title) + "?change=runtime_minutes").content.decode()
    assert "Now on the page" in html and "135 minutes" in html
    assert 'name="proposal-value"' in html


@pytest.mark.parametrize(
    "change", ["name", "status", "slug", "tagline", "grid:violence", "x" * 300]
)
def test_fields_outside_the_allow_list_are_refused(client, reader, title, change):
    """A part of the page that is not on the allow-list gets a clear refusal, not a form."""
    client.force_login(reader)
    for response in [
        client.get(suggest_url(title), {"change": change}),
        client.post(suggest_url(title), {"change": change, "proposal-value": "Hacked"}),
    ]:
        assert response.status_code == 400
        assert "can&#x27;t be changed with a suggestion" in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("field", ["name", "status", "year", "updated_at", "grid:nope", None, 3])
def test_service_refuses_fields_outside_the_allow_list(reader, title, field):
    """The service holds the allow-list too, whatever a caller passes."""
    with pytest.raises(NotSuggestable):
        suggest(title, reader, field, {"value": "x"})


@pytest.mark.parametrize(
    ("change", "data", "message"),
    [
        ("runtime_minutes", {"proposal-value": "long"}, "Enter a whole number"),
        ("runtime_minutes", {"proposal-value": "5000"}, "less than or equal to 1000"),
        ("runtime_minutes", {"proposal-value": "135"}, "The page already says this"),
        ("theatrical_release", {"proposal-value": "31/31/2019"}, "Enter a valid date"),
        ("mpaa_rating", {"proposal-value": "X"}, "Select a valid choice"),
        ("inclusion_tags", {}, "The page already says this"),
        ("inclusion_tags", {"proposal-add": ["Not offered"]}, "Select a valid choice"),
        ("inclusion_tags", {"proposal-new": "Female actors"}, "The page already says this"),
        ("credit-add", {"proposal-role": "actor", "proposal-name": ""}, "This field is required"),
        (
            "credit-add",
            {"proposal-role": "director", "proposal-name": "greta gerwig"},
            "already credited",
        ),
        ("credit-correct", {"proposal-credit": "999999"}, "Select a valid choice"),
        (
            "offer-add",
            {"proposal-service": "Hulu", "proposal-kind": "rent", "proposal-url": "javascript:x"},
            "Enter a valid URL",
        ),
        (
            "offer-add",
            {"proposal-service": "netflix", "proposal-kind": "subscription"},
            "already listed",
        ),
        (
            "grid",
            {"proposal-category": "language", "proposal-level": "9", "proposal-why": "x"},
            "Select a valid choice",
        ),
        (
            "grid",
            {"proposal-category": "language", "proposal-level": "1", "proposal-why": "Same"},
            "The page already says this",
        ),
        ("grid", {"proposal-category": "language", "proposal-level": "3"}, "required"),
        ("other", {"proposal-text": "   "}, "This field is required"),
    ],
)
def test_bad_input_gets_a_clear_message(client, reader, title, change, data, message):
    """Wrong or empty values come back with a message and nothing is saved."""
    client.force_login(reader)
    response = client.post(suggest_url(title), {"change": change, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Suggestion.objects.exists()


def test_service_validates_structured_values_too(reader, title):
    """Malformed proposals sent straight to the service are refused."""
    for field, proposal in [
        ("inclusion_tags", {"add": "Female directors"}),
        ("inclusion_tags", {"add": ["x" * 101]}),
        ("runtime_minutes", {}),
        ("credits", {"action": "delete", "name": "Someone"}),
        ("credits", {"action": "correct", "credit": "1", "name": "Someone"}),
        ("offers", {"action": "remove", "offer": -1}),
        ("grid:language", {"level": True, "why": "x"}),
        ("grid:language", {"level": 6, "why": "x"}),
        ("other", "free text"),
    ]:
        with pytest.raises(ValidationError):
            suggest(title, reader, field, proposal)
    assert not Suggestion.objects.exists()


def test_grid_suggestions_need_a_rated_title(client, reader):
    """A title without an expert review has no grid to disagree with."""
    unrated = f.make_title()
    client.force_login(reader)
    html = client.get(suggest_url(unrated) + "?change=grid").content.decode()
    assert "no grid to disagree with" in html
    with pytest.raises(ValidationError):
        suggest(unrated, reader, "grid:language", {"level": 2, "why": "x"})


def test_same_pending_suggestion_twice_is_refused(client, reader, title):
    """Sending the same change again while it waits says so instead of queueing a copy."""
    client.force_login(reader)
    data = {"change": "inclusion_tags", "proposal-add": ["Female directors"]}
    assert client.post(suggest_url(title), data).status_code == 302
    response = client.post(suggest_url(title), data)
    assert response.status_code == 400
    assert "already suggested this change" in response.content.decode()
    assert Suggestion.objects.count() == 1


def test_draft_titles_cannot_be_suggested_on(client, reader):
    """Drafts are not found for readers."""
    draft = f.make_title(status=Title.Status.DRAFT)
    client.force_login(reader)
    assert client.get(suggest_url(draft)).status_code == 404
    assert client.get(reverse("suggestions:history", args=[draft.slug])).status_code == 404


def test_inactive_accounts_cannot_suggest(reader, title):
    """A deactivated account is refused by the service."""
    reader.is_active = False
    with pytest.raises(PermissionDenied):
        suggest(title, reader, "runtime_minutes", {"value": 100})


def test_suggesting_is_rate_limited(client, settings, reader, title):
    """Posting beyond the "suggestion" limit gets a 429 page and saves nothing."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "suggestion": "2/h"}
    client.force_login(reader)
    statuses = [
        client.post(
            suggest_url(title), {"change": "runtime_minutes", "proposal-value": str(100 + n)}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Suggestion.objects.count() == 2
    assert client.get(suggest_url(title)).status_code == 200


def test_suggester_text_is_escaped_for_editors_and_the_public(
    client, reader, editor, title, django_capture_on_commit_callbacks
):
    """Markup in a proposed tag, message and source is shown as text."""
    attack = "<script>alert(1)</script>"
    suggestion = suggest(
        title, reader, "inclusion_tags", {"add": [attack]}, message=attack, source=attack
    )
    client.force_login(editor)
    html = client.get(decide_url(suggestion)).content.decode()
    assert attack not in html and "&lt;script&gt;" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(suggestion), {**proposal_post_data(suggestion), "_accept": "1"})
    assert Tag.objects.filter(name=attack, kind=Tag.Kind.INCLUSION).exists()
    html = client.get(reverse("suggestions:history", args=[title.slug])).content.decode()
    assert attack not in html and "&lt;script&gt;" in html


# Stale suggestions and partial acceptance ----------------------------------------------


def test_stale_suggestion_needs_an_explicit_decision(client, reader, editor, title):
    """If the field changed since, accepting is refused until the editor says apply anyway."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    Title.objects.filter(pk=title.pk).update(runtime_minutes=136)
    with pytest.raises(StaleSuggestion):
        accept_suggestion(suggestion=suggestion, editor=editor)

    client.force_login(editor)
    html = client.get(decide_url(suggestion)).content.decode()
    assert "The page changed since this was suggested" in html
    assert "135 minutes" in html and "136 minutes" in html
    response = client.post(decide_url(suggestion), {"proposal-value": "134", "_accept": "1"})
    assert response.status_code == 200
    assert "changed since this suggestion was made" in response.content.decode()
    assert Title.objects.get(pk=title.pk).runtime_minutes == 136

    response = client.post(
        decide_url(suggestion), {"proposal-value": "134", "allow_stale": "on", "_accept": "1"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.applied_although_stale
    change = TitleChange.objects.get(suggestion=suggestion)
    assert (change.before, change.after) == (136, 134)


def test_an_accepted_suggestion_makes_others_on_that_field_stale(reader, editor, title):
    """Two suggestions on the inclusion tags: once one is in, the other must be compared."""
    first = suggest(title, reader, "inclusion_tags", {"add": ["Female directors"]})
    second = suggest(title, f.make_user(), "inclusion_tags", {"remove": ["Female actors"]})
    other_field = suggest(title, reader, "runtime_minutes", {"value": 134})
    accept_suggestion(suggestion=first, editor=editor)
    with pytest.raises(StaleSuggestion):
        accept_suggestion(suggestion=second, editor=editor)
    accept_suggestion(suggestion=other_field, editor=editor)  # another field: not stale
    accept_suggestion(suggestion=second, editor=editor, allow_stale=True)
    names = sorted(title.tags.filter(kind=Tag.Kind.INCLUSION).values_list("name", flat=True))
    assert names == ["Female directors"]


def test_stale_suggestion_already_on_the_page_cannot_be_accepted(reader, editor, title):
    """When the page already says what was proposed, accepting explains there is nothing to do."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    Title.objects.filter(pk=title.pk).update(runtime_minutes=134)
    with pytest.raises(ValidationError, match="already says this"):
        accept_suggestion(suggestion=suggestion, editor=editor, allow_stale=True)
    suggestion.refresh_from_db()
    assert suggestion.is_pending


def test_partial_acceptance_in_admin(client, reader, editor, title):
    """The editor unticks one of two proposed tags; only the other is applied and recorded."""
    suggestion = suggest(
        title, reader, "inclusion_tags", {"add": ["Female directors", "Female writers"]}
    )
    client.force_login(editor)
    html = client.get(decide_url(suggestion)).content.decode()
    assert "+ added:</span> Female directors" in html
    assert "+ added:</span> Female writers" in html

    edited = {"proposal-add": ["Female directors"], "note": "Only the director is confirmed."}
    preview = client.post(decide_url(suggestion), {**edited, "_preview": "1"})
    assert preview.status_code == 200
    preview_html = preview.content.decode()
    assert "your edited version" in preview_html
    assert "+ added:</span> Female writers" not in preview_html
    suggestion.refresh_from_db()
    assert suggestion.is_pending

    response = client.post(decide_url(suggestion), {**edited, "_accept": "1"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.applied == {"add": ["Female directors"], "remove": []}
    assert suggestion.proposed["add"] == ["Female directors", "Female writers"]
    names = sorted(title.tags.filter(kind=Tag.Kind.INCLUSION).values_list("name", flat=True))
    assert names == ["Female actors", "Female directors"]
    change = TitleChange.objects.get(suggestion=suggestion)
    assert change.description == "Inclusion information: added Female directors."


def test_partial_acceptance_of_a_value_through_the_service(reader, editor, title):
    """An editor may correct a proposed value before applying it."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 130})
    accept_suggestion(suggestion=suggestion, editor=editor, proposal={"value": 134})
    assert Title.objects.get(pk=title.pk).runtime_minutes == 134
    suggestion.refresh_from_db()
    assert suggestion.applied == {"value": 134}


# Who decides --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_decider",
    [
        lambda: f.make_user(),
        lambda: f.make_staff(groups=["Reviewers"]),
        lambda: f.make_staff(groups=[]),
    ],
    ids=["reader", "reviewer", "staff-without-group"],
)
def test_only_editors_decide(client, reader, title, make_decider):
    """Readers, reviewers and other staff can neither accept nor reject."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    decider = make_decider()
    with pytest.raises(PermissionDenied):
        accept_suggestion(suggestion=suggestion, editor=decider)
    with pytest.raises(PermissionDenied):
        reject_suggestion(suggestion=suggestion, editor=decider, note="No")
    client.force_login(decider)
    response = client.post(decide_url(suggestion), {"proposal-value": "134", "_accept": "1"})
    assert response.status_code in (302, 403)  # non-staff go to the admin login
    if decider.is_staff:
        assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.is_pending
    assert Title.objects.get(pk=title.pk).runtime_minutes == 135


def test_superuser_decides_too(reader, title):
    """Superusers hold every permission, including deciding suggestions."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    boss = f.make_user(is_staff=True, is_superuser=True)
    accept_suggestion(suggestion=suggestion, editor=boss)
    assert Title.objects.get(pk=title.pk).runtime_minutes == 134


def test_a_decided_suggestion_cannot_be_decided_again(reader, editor, title):
    """Accepting or rejecting twice is refused with a message."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    reject_suggestion(suggestion=suggestion, editor=editor, note="No")
    with pytest.raises(ValidationError, match="already not accepted"):
        accept_suggestion(suggestion=suggestion, editor=editor)
    with pytest.raises(ValidationError):
        reject_suggestion(suggestion=suggestion, editor=editor, note="No")


def test_editors_group_holds_the_suggestion_permissions():
    """The Editors group may view and decide suggestions and read the change record."""
    from django.contrib.auth.models import Group

    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"view_suggestion", "decide_suggestion", "view_titlechange"} <= perms
    assert "delete_suggestion" not in perms and "change_titlechange" not in perms
    reviewers = Group.objects.get(name="Reviewers").permissions
    assert not reviewers.filter(codename="decide_suggestion").exists()


# Telling the suggester ----------------------------------------------------------------


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("The mail server is down.")


def test_a_failing_email_does_not_lose_the_decision(
    settings, reader, editor, title, django_capture_on_commit_callbacks, caplog
):
    """The decision is committed first; a mail server error is only logged."""
    settings.EMAIL_BACKEND = f"{__name__}.BrokenEmailBackend"
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    with django_capture_on_commit_callbacks(execute=True):
        accept_suggestion(suggestion=suggestion, editor=editor, note="Thanks")
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert Title.objects.get(pk=title.pk).runtime_minutes == 134
    assert "Could not email the decision" in caplog.text


def test_email_is_sent_only_after_commit(reader, editor, title, django_capture_on_commit_callbacks):
    """No email goes out before the decision is committed."""
    suggestion = suggest(title, reader, "runtime_minutes", {"value": 134})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accept_suggestion(suggestion=suggestion, editor=editor)
    assert callbacks and mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [reader.email]
    assert title.get_absolute_url() in mail.outbox[0].body


def test_profile_lists_my_suggestions_with_status_and_note(client, reader, editor, title):
    """The suggester sees each suggestion, its status and the editor's note on the profile."""
    accepted = suggest(title, reader, "runtime_minutes", {"value": 134})
    accept_suggestion(suggestion=accepted, editor=editor, note="Confirmed on the studio site.")
    rejected = suggest(title, reader, "inclusion_tags", {"remove": ["Female actors"]})
    reject_suggestion(suggestion=rejected, editor=editor, note="The cast is mostly women.")
    suggest(title, reader, "other", {"text": "Add the tagline."})
    suggest(title, f.make_user(), "runtime_minutes", {"value": 99})  # someone else's

    assert list(Suggestion.objects.for_user(reader)) == list(
        Suggestion.objects.filter(author=reader).order_by("-created_at", "-pk")
    )
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "My suggestions" in html
    assert "Run time: 135 minutes → 134 minutes" in html
    assert "Confirmed on the studio site." in html and "The cast is mostly women." in html
    assert "Accepted" in html and "Not accepted" in html and "Waiting for an editor" in html
    assert "99 minutes" not in html


@pytest.mark.parametrize("change", ["inclusion_tags", "credit-correct", "grid", "offer-add"])
def test_suggest_form_query_count_does_not_grow(
    client, reader, title, change, django_assert_max_num_queries
):
    """The form's queries stay fixed however many credits and offers the title has."""
    for n in range(10):
        f.make_credit(title, character=f"Part {n}")
        f.make_offer(title)
    client.force_login(reader)
    with django_assert_max_num_queries(12):
        response = client.get(suggest_url(title), {"change": change})
    assert response.status_code == 200


def test_suspended_accounts_cannot_suggest(client, reader, title):
    """While a moderator's suspension is in force the form says why and nothing is saved."""
    from guidance.moderation.models import Suspension

    Suspension.objects.create(user=reader, reason="spam")
    client.force_login(reader)
    html = client.get(suggest_url(title), {"change": "runtime_minutes"}).content.decode()
    assert "Your account is suspended from posting" in html
    assert 'name="proposal-value"' not in html
    response = client.post(suggest_url(title), {"change": "runtime_minutes", "proposal-value": "9"})
    assert "Your account is suspended from posting" in response.content.decode()
    with pytest.raises(PermissionDenied):
        suggest(title, reader, "runtime_minutes", {"value": 100})
    assert not Suggestion.objects.exists()


def test_summaries_say_what_each_suggestion_asks_for(reader, title):
    """The queue, the profile and the email describe a proposal in a short plain line."""
    credit = title.credits.get(person__name="Saoirse Ronan")
    cases = [
        ("inclusion_tags", {"add": ["Female directors"], "remove": ["Female actors"]}),
        ("runtime_minutes", {"value": 134}),
        ("streaming_release", {"value": "2020-03-10"}),
        (
            "credits",
            {
                "action": "correct",
                "credit": credit.pk,
                "name": "Saoirse Ronan",
                "character": "Jo March",
            },
        ),
        ("offers", {"action": "add", "service": "Apple TV", "kind": "rent", "url": ""}),
        ("grid:language", {"level": 3, "why": "Several swear words."}),
        ("other", {"text": "The tagline is\nmissing."}),
    ]
    summaries = [suggest(title, reader, field, proposal).summary for field, proposal in cases]
    assert summaries == [
        "Inclusion information: add Female directors; remove Female actors",
        "Run time: 135 minutes → 134 minutes",
        "On DVD or streaming: (not given) → March 10, 2020",
        "Cast and crew: change Saoirse Ronan as Jo Marsh to Saoirse Ronan as Jo March",
        "Where to watch: add Apple TV (rent)",
        "Content grid, Language: level 1 → 3 (out of 5)",
        "Something else: The tagline is missing.",
    ]
