"""The moderators' admin: the queue, a review's page, decisions, the log and who may do what."""

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from guidance.moderation.models import (
    BlockedPhrase,
    ModerationAction,
    Report,
    ReporterStats,
    Suspension,
)
from guidance.reviews.models import CommunityReview
from movies.models import Title
from tests import factories as f

pytestmark = pytest.mark.django_db

QUEUE = "admin:moderation_reportedreview_changelist"
LOG = "admin:moderation_moderationaction_changelist"


def queue_url(query=""):
    return reverse(QUEUE) + query


def page_url(review):
    return reverse("admin:moderation_reportedreview_change", args=[review.pk])


def decide_url(review, decision):
    return reverse("admin:moderation_reportedreview_decide", args=[review.pk, decision])


def words(response):
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html))


def queue_headlines(client, query=""):
    """The headlines in the queue, top to bottom."""
    html = client.get(queue_url(query)).content.decode()
    return re.findall(r"<strong>([^<]+)</strong></a><br><span class='review-excerpt'>", html)


def reported_review(title, headline, reporters, reason="spam", **fields):
    review = f.make_community_review(title, headline=headline, **fields)
    for reporter in reporters:
        f.make_report(review, reporter, reason=reason)
    return review


@pytest.fixture
def superuser():
    return f.make_user(is_staff=True, is_superuser=True, role="staff", display_name="Sam Super")


# The queue ----------------------------------------


def test_the_moderators_group_holds_exactly_its_permissions():
    """The Moderators group exists after migrate, with no catalog or expert-review rights."""
    perms = set(
        Group.objects.get(name="Moderators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("moderation", "moderate_review") in perms
    assert ("moderation", "suspend_user") in perms
    assert ("moderation", "view_moderationaction") in perms
    assert ("reviews", "view_communityreview") in perms
    assert not {app for app, _ in perms} & {"movies", "ratings", "suggestions"}
    assert not {code for _, code in perms if code.startswith(("change_", "delete_"))} - {
        "change_blockedphrase"
    }


def test_queue_lists_reviews_waiting_for_a_decision(client, moderator, title, readers):
    """Reported and hidden reviews are in the queue; unreported and decided ones are not."""
    reported_review(title, "Reported once", readers[:1])
    f.make_community_review(title, headline="Nobody minds this one")
    decided = reported_review(title, "Already decided", readers[1:2])
    Report.objects.filter(review=decided).update(status="dismissed", resolved_at=timezone.now())
    client.force_login(moderator)
    assert queue_headlines(client) == ["Reported once"]
    assert queue_headlines(client, "?queue=decided") == ["Already decided"]
    assert sorted(queue_headlines(client, "?queue=all")) == ["Already decided", "Reported once"]


def test_queue_shows_counts_reasons_and_status(client, moderator, title, readers):
    """Each row shows the excerpt, title, author, people reporting, reasons and status."""
    review = reported_review(title, "Three people reported", readers[:2], reason="spoilers")
    f.make_report(review, readers[2], reason="harassment")
    client.force_login(moderator)
    text = words(client.get(queue_url()))
    assert "Three people reported" in text
    assert "Run (2020)" in text
    assert review.author.display_name in text
    assert "3 people" in text
    assert "Spoilers without a warning ×2 Harassment or hate" in text
    assert "Hidden (pending moderation)" in text


def test_queue_puts_the_most_reported_first_and_offers_oldest_first(
    client, moderator, title, readers
):
    """Most urgent (most reported) first by default; "oldest first" orders by waiting time."""
    old = reported_review(title, "Old and reported once", readers[:1])
    Report.objects.filter(review=old).update(created_at=timezone.now() - dt.timedelta(days=2))
    reported_review(title, "Reported by three", readers[1:4])
    reported_review(title, "Reported by two", readers[:2])
    client.force_login(moderator)
    assert queue_headlines(client) == [
        "Reported by three",
        "Reported by two",
        "Old and reported once",
    ]
    assert queue_headlines(client, "?order=oldest")[0] == "Old and reported once"
    assert queue_headlines(client, "?order=reported")[0] == "Reported by three"


def test_reporters_with_a_good_record_come_first(client, moderator, title, readers):
    """Of two reviews with one report each, the one from the more accurate reporter leads."""
    ReporterStats.objects.create(user=readers[0], reports=10, upheld=1, dismissed=9)
    ReporterStats.objects.create(user=readers[1], reports=10, upheld=9, dismissed=1)
    reported_review(title, "Reported by a doubtful reader", readers[:1])
    reported_review(title, "Reported by a reliable reader", readers[1:2])
    client.force_login(moderator)
    assert queue_headlines(client) == [
        "Reported by a reliable reader",
        "Reported by a doubtful reader",
    ]


def test_queue_filters(client, moderator, title, readers):
    """Filter by reason, review status, title kind and system or reader reports."""
    spoiler = reported_review(title, "Spoils the ending", readers[:1], reason="spoilers")
    show = f.make_title(name="A Show", kind=Title.Kind.TV)
    spam = reported_review(show, "Sells things", readers[1:2], reason="spam")
    flagged = f.make_community_review(title, headline="Flagged by the system")
    Report.objects.create(review=flagged, source="system", reason="blocked_phrase")
    CommunityReview.objects.filter(pk=spam.pk).update(status="hidden")
    client.force_login(moderator)
    assert queue_headlines(client, "?reason=spoilers") == [spoiler.headline]
    assert queue_headlines(client, "?status__exact=hidden") == [spam.headline]
    assert queue_headlines(client, "?source=system") == ["Flagged by the system"]
    assert set(queue_headlines(client, "?source=user")) == {spoiler.headline, spam.headline}
    assert queue_headlines(client, "?title__kind__exact=tv") == [spam.headline]
    assert spam.headline not in queue_headlines(client, "?title__kind__exact=movie")


def test_queue_search_finds_text_author_and_title(client, moderator, title, readers):
    """Search looks in the words, the author's name and the title's name."""
    author = f.make_parent(display_name="Quentin Quill")
    reported_review(title, "Odd words", readers[:1], body="Zebras " * 12, author=author)
    reported_review(f.make_title(name="Coco"), "Another one", readers[:1])
    client.force_login(moderator)
    assert queue_headlines(client, "?q=zebras") == ["Odd words"]
    assert queue_headlines(client, "?q=quill") == ["Odd words"]
    assert queue_headlines(client, "?q=coco") == ["Another one"]


def test_queue_page_queries_do_not_grow_with_rows(
    client, moderator, title, readers, django_assert_max_num_queries
):
    """The queue reads its rows, counts and reasons in a fixed number of queries."""
    for n in range(2):
        reported_review(title, f"Row {n}", readers[:2])
    client.force_login(moderator)
    with django_assert_max_num_queries(20) as few:
        client.get(queue_url())
    for n in range(2, 8):
        reported_review(f.make_title(), f"Row {n}", readers[:3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(queue_url())
    assert len(queue_headlines(client)) == 8
    assert response.status_code == 200


# A review's page ------------------------------------------------------------------------------


def test_review_page_shows_reports_comments_accuracy_and_history(client, moderator, title, readers):
    """The page shows the words, each report with its comment and reporter's record, and history."""
    ReporterStats.objects.create(user=readers[0], reports=4, upheld=3, dismissed=1)
    review = f.make_community_review(title, headline="Under review")
    f.make_report(review, readers[0], reason="other", comment="Copied from a magazine")
    for reader in readers[1:3]:
        f.make_report(review, reader)
    client.force_login(moderator)
    response = client.get(page_url(review))
    text = words(response)
    assert "Under review" in text and review.body.strip()[:40] in text
    assert "Copied from a magazine" in text
    assert "3 of 4 upheld (75%)" in text
    assert "Hidden automatically" in text
    for label in ["Keep", "Remove", "Restore", "Suspend the author"]:
        assert label in text
    html = response.content.decode()
    assert decide_url(review, "restore") in html
    assert decide_url(review, "hide") not in html  # it is hidden already


def test_restoring_from_the_review_page(client, moderator, title, readers):
    """The Restore button asks for a note, restores the review and returns to the queue."""
    review = reported_review(title, "Restore me", readers[:3])
    client.force_login(moderator)
    confirm = client.get(decide_url(review, "restore"))
    assert confirm.status_code == 200
    assert "Restore this review" in words(confirm)
    response = client.post(decide_url(review, "restore"), {"reason": "", "note": "Fine"})
    assert response.status_code == 302 and response["Location"] == queue_url()
    review.refresh_from_db()
    assert review.status == "published"
    entry = ModerationAction.objects.get(action="restored")
    assert (entry.moderator, entry.note) == (moderator, "Fine")
    assert "“Restore me” is restored." in words(client.get(queue_url()))


def test_removing_needs_a_reason(client, moderator, title, readers):
    """Remove without a reason shows the form again with a message."""
    review = reported_review(title, "Remove me", readers[:1])
    client.force_login(moderator)
    response = client.post(decide_url(review, "remove"), {"reason": "", "note": ""})
    assert response.status_code == 200
    assert "Choose the reason the author will be told." in words(response)
    review.refresh_from_db()
    assert review.status == "published"
    client.post(decide_url(review, "remove"), {"reason": "spam"})
    review.refresh_from_db()
    assert review.status == "removed"


def test_a_decision_that_no_longer_applies_is_explained(client, moderator, title, readers):
    """Restoring a review another moderator already restored says so; nothing is logged twice."""
    review = reported_review(title, "Twice", readers[:3])
    client.force_login(moderator)
    client.post(decide_url(review, "restore"), {})
    response = client.post(decide_url(review, "restore"), {}, follow=True)
    assert "This review is already published." in words(response)
    assert ModerationAction.objects.filter(action="restored").count() == 1


def test_unknown_decisions_and_reviews_are_404(client, moderator, title, readers):
    """A made-up decision, or a review that is not in the queue, is a 404."""
    review = reported_review(title, "Here it is", readers[:1])
    unreported = f.make_community_review(title)
    client.force_login(moderator)
    assert client.get(decide_url(review, "delete")).status_code == 404
    assert client.get(decide_url(unreported, "hide")).status_code == 404


def test_suspending_the_author_from_the_review_page(client, moderator, title, readers):
    """Suspend asks for a reason and a last day, then suspends and logs it."""
    review = reported_review(title, "Nasty", readers[:1], reason="harassment")
    client.force_login(moderator)
    url = reverse("admin:moderation_reportedreview_suspend", args=[review.pk])
    last_day = timezone.localdate() + dt.timedelta(days=6)
    response = client.post(url, {"reason": "harassment", "ends_on": last_day.isoformat()})
    assert response.status_code == 302
    suspension = Suspension.objects.get(user=review.author)
    assert suspension.is_active
    assert timezone.localtime(suspension.ends_at).date() == last_day + dt.timedelta(days=1)
    assert ModerationAction.objects.get(action="suspended").review == review
    response = client.post(url, {"reason": "harassment", "ends_on": "2001-01-01"})
    assert "Choose today or a later day" in words(response)


# Bulk actions ----------------------------------------


def run_action(client, action, reviews, **data):
    """Choose an admin action for some rows, then confirm it with `data`."""
    selected = [str(review.pk) for review in reviews]
    first = client.post(queue_url(), {"action": action, ACTION_CHECKBOX_NAME: selected, "index": 0})
    assert first.status_code == 200
    return client.post(
        queue_url(), {"action": action, ACTION_CHECKBOX_NAME: selected, "confirm": "yes", **data}
    )


def test_bulk_keep(client, moderator, title, readers):
    """Keep several reviews at once: every one's reports are dismissed and logged."""
    reviews = [reported_review(title, f"Bulk {n}", readers[:2]) for n in range(3)]
    client.force_login(moderator)
    response = run_action(client, "keep_selected", reviews, note="Fine")
    assert response.status_code == 302
    assert not Report.objects.filter(status="open").exists()
    assert ModerationAction.objects.filter(action="kept").count() == 3


def test_bulk_remove_needs_a_reason_and_skips_what_does_not_apply(
    client, moderator, title, readers
):
    """Bulk remove asks for a reason and leaves already-removed reviews as they are."""
    reviews = [reported_review(title, f"Bulk {n}", readers[:1]) for n in range(2)]
    CommunityReview.objects.filter(pk=reviews[1].pk).update(status="removed")
    client.force_login(moderator)
    response = run_action(client, "remove_selected", reviews, reason="")
    assert response.status_code == 200
    response = run_action(client, "remove_selected", reviews, reason="spam")
    messages = words(client.get(response["Location"]))
    assert "1 review removed." in messages
    assert "Left as it was." in messages
    assert ModerationAction.objects.filter(action="removed").count() == 1


def test_bulk_suspend_suspends_each_author_once(client, moderator, title, readers):
    """Suspending from the queue suspends every distinct author once."""
    author = f.make_parent()
    reviews = [
        reported_review(title, "Number one", readers[:1], author=author),
        reported_review(f.make_title(), "Number two", readers[:1], author=author),
    ]
    client.force_login(moderator)
    run_action(client, "suspend_authors", reviews, reason="spam")
    assert Suspension.objects.filter(user=author).count() == 1


# The log, blocked phrases, suspensions ----------------------------------------


def test_the_log_is_read_only_even_for_superusers(client, superuser, title, readers):
    """Superusers can read the log but not add, change or delete entries."""
    review = reported_review(title, "Logged", readers[:3])
    entry = ModerationAction.objects.get()
    client.force_login(superuser)
    assert "Hidden automatically" in words(client.get(reverse(LOG)))
    change = reverse("admin:moderation_moderationaction_change", args=[entry.pk])
    assert "Logged" in words(client.get(change))
    assert client.get(reverse("admin:moderation_moderationaction_add")).status_code == 403
    client.post(change, {"note": "tampered"})
    entry.refresh_from_db()
    assert entry.note != "tampered"
    delete = reverse("admin:moderation_moderationaction_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(
        reverse(LOG), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [entry.pk]}
    )
    assert ModerationAction.objects.filter(pk=entry.pk).exists()
    assert response.status_code in (200, 302)
    assert review.pk == entry.review_id


def test_moderators_keep_the_blocked_phrase_list(client, moderator):
    """Moderators add blocked phrases in admin; a duplicate in another case is refused."""
    client.force_login(moderator)
    add = reverse("admin:moderation_blockedphrase_add")
    response = client.post(add, {"phrase": "buy  now", "action": "hide", "is_active": "on"})
    assert response.status_code == 302
    assert BlockedPhrase.objects.get().phrase == "buy now"
    response = client.post(add, {"phrase": "BUY NOW", "action": "queue", "is_active": "on"})
    assert response.status_code == 200
    assert BlockedPhrase.objects.count() == 1


def test_moderators_suspend_and_lift_from_the_suspensions_page(client, moderator, editor):
    """The suspension form goes through the service; staff cannot be suspended; lifting works."""
    member = f.make_parent()
    client.force_login(moderator)
    add = reverse("admin:moderation_suspension_add")
    response = client.post(add, {"user": member.pk, "reason": "spam", "note": "Ads"})
    assert response.status_code == 302
    suspension = Suspension.objects.get(user=member)
    assert suspension.created_by == moderator
    assert ModerationAction.objects.get().action == "suspended"
    response = client.post(add, {"user": editor.pk, "reason": "spam"})
    assert "Staff accounts are managed by administrators" in words(response)
    client.post(
        reverse("admin:moderation_suspension_changelist"),
        {"action": "lift_selected", ACTION_CHECKBOX_NAME: [suspension.pk], "index": 0},
    )
    suspension.refresh_from_db()
    assert suspension.lifted_by == moderator


# Who may do what ----------------------------------------

ROLES = ["anonymous", "parent", "kid", "editor", "moderator", "superuser"]


def sign_in_as(client, role, request):
    if role == "anonymous":
        return None
    user = {
        "parent": f.make_parent,
        "kid": f.make_kid,
        "editor": lambda: request.getfixturevalue("editor"),
        "moderator": lambda: request.getfixturevalue("moderator"),
        "superuser": lambda: request.getfixturevalue("superuser"),
    }[role]()
    client.force_login(user)
    return user


def expect(role, response, allowed_status=200):
    """Non-staff are sent to the admin sign-in, staff without rights get 403."""
    if role in ("anonymous", "parent", "kid"):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif role == "editor":
        assert response.status_code == 403
    else:
        assert response.status_code == allowed_status


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_queue(client, role, request, title, readers):
    """Only moderators and superusers open the queue and a review's page in it."""
    review = reported_review(title, "Matrix", readers[:1])
    sign_in_as(client, role, request)
    expect(role, client.get(queue_url()))
    expect(role, client.get(page_url(review)))


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_actions(client, role, request, title, readers):
    """Only moderators and superusers can hide, by button or by bulk action, or suspend."""
    review = reported_review(title, "Matrix", readers[:1])
    sign_in_as(client, role, request)
    expect(role, client.post(decide_url(review, "hide"), {"reason": "spam"}), allowed_status=302)
    expect(
        role,
        client.post(
            reverse("admin:moderation_reportedreview_suspend", args=[review.pk]),
            {"reason": "spam"},
        ),
        allowed_status=302,
    )
    review.refresh_from_db()
    allowed = role in ("moderator", "superuser")
    assert review.status == ("hidden" if allowed else "published")
    assert Suspension.objects.exists() is allowed
    if not allowed:
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_log(client, role, request):
    """Only moderators and superusers read the moderation log."""
    sign_in_as(client, role, request)
    expect(role, client.get(reverse(LOG)))


def test_editors_and_moderators_stay_in_their_lanes(client, moderator, editor):
    """Moderators cannot edit titles or expert reviews; editors see no moderation models."""
    title = f.make_title()
    expert = f.make_review(title)
    client.force_login(moderator)
    assert client.get(reverse("admin:movies_title_change", args=[title.pk])).status_code == 403
    assert (
        client.get(reverse("admin:ratings_expertreview_change", args=[expert.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:reviews_communityreview_changelist")).status_code == 200
    client.force_login(editor)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Moderation queue" not in index
