"""
Who may open what: every page, every admin list and change page, every admin action.

One row per address. The columns after the method are the expected HTTP status for:

    anon  parent  kid  susp(ended parent)  editor  reviewer  moderator  superuser

302 for a signed-out visitor on a page that needs an account means "sent to sign in";
for a signed-in person on such a POST it is "done (or refused with a message), sent back".
Admin actions are POSTs to their changelist with action=<name> and one selected row:
200 is the action's confirmation page (or the file it exports), 302 the action ran and
went back to the list, 403 refused, "-" the action is not on offer to this person (the
list comes back and nothing happens). An object id in a row (like {review}) is filled in
from the world built below; {own_review} is the signed-in person's own review.
"""

# The table is meant to be read across; its rows are longer than the usual 100 columns.
# ruff: noqa: E501

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model

from guidance.moderation.models import BlockedPhrase, ModerationAction, Report, Suspension
from guidance.moderation.services import suspend_author
from guidance.newsletter.models import Delivery, Subscriber
from guidance.reviews.models import ReviewSummary
from guidance.suggestions.models import Suggestion, TitleChange
from guidance.suggestions.services import accept_suggestion, suggest_update
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("anon", "parent", "kid", "susp", "editor", "reviewer", "moderator", "superuser")

# fmt: off
MATRIX = [
    # address                                         method anon parent kid susp edit revw mod  super
    # ---- public pages
    ("/",                                             "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/movies/",                                      "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/movies/{slug}/",                               "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/movies/{draft_slug}/",                         "GET",  404, 404, 404, 404, 200, 200, 200, 200),
    ("/movies/{slug}/reviews/",                       "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/movies/{slug}/history/",                       "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/lists/{list_slug}/",                           "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/ratings/",                                     "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/sitemap.xml",                                  "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/robots.txt",                                   "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/newsletter/",                                  "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/newsletter/check-your-inbox/",                 "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/newsletter/confirmed/",                        "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/newsletter/confirm/not-a-token/",              "GET",  400, 400, 400, 400, 400, 400, 400, 400),
    ("/newsletter/unsubscribe/not-a-token/",          "GET",  400, 400, 400, 400, 400, 400, 400, 400),
    # (staff preview drafts; community reviews are for parents and kids, not staff)
    # ---- writing: needs an account; a suspended account is told why on the page
    ("/movies/{slug}/reviews/write/",                 "GET",  302, 200, 200, 200, 403, 403, 403, 403),
    ("/movies/{slug}/suggest/",                       "GET",  302, 200, 200, 200, 200, 200, 200, 200),
    ("/reviews/{review}/report/",                     "GET",  302, 200, 200, 403, 200, 200, 200, 200),
    ("/reviews/{review}/helpful/",                    "POST", 302, 302, 302, 302, 302, 302, 302, 302),
    ("/reviews/{hidden_review}/report/",              "GET",  404, 404, 404, 404, 404, 404, 404, 404),
    ("/reviews/{hidden_review}/helpful/",             "POST", 404, 404, 404, 404, 404, 404, 404, 404),
    # someone else's review cannot be deleted through its id
    ("/reviews/{review}/delete/",                     "POST", 302, 404, 404, 404, 404, 404, 404, 404),
    # ---- accounts
    ("/accounts/signup/",                             "GET",  200, 302, 302, 302, 302, 302, 302, 302),
    ("/accounts/login/",                              "GET",  200, 302, 302, 302, 302, 302, 302, 302),
    ("/accounts/logout/",                             "POST", 302, 302, 302, 302, 302, 302, 302, 302),
    ("/accounts/profile/",                            "GET",  302, 200, 200, 200, 200, 200, 200, 200),
    ("/accounts/family/",                             "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/accounts/password/change/",                    "GET",  302, 200, 200, 200, 200, 200, 200, 200),
    ("/accounts/password/reset/",                     "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/accounts/password/reset/sent/",                "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    ("/accounts/password/reset/MQ/bad-token/",        "GET",  200, 200, 200, 200, 200, 200, 200, 200),
    # ---- admin: the index and every changelist and change page
    ("admin:index",                                   "GET",  302, 302, 302, 302, 200, 200, 200, 200),
    ("admin:auth_group_changelist",                   "GET",  302, 302, 302, 302, 403, 403, 403, 200),
    ("admin:accounts_user_changelist",                "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:accounts_user_change:{parent}",           "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:movies_title_changelist",                 "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:movies_title_change:{title}",             "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:movies_title_add",                        "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:movies_tag_changelist",                   "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:movies_studio_changelist",                "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:movies_person_changelist",                "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:movies_streamingservice_changelist",      "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:movies_editoriallist_changelist",         "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:ratings_contentcategory_changelist",      "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:ratings_expertreview_changelist",         "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:ratings_expertreview_change:{expert}",    "GET",  302, 302, 302, 302, 200, 200, 403, 200),
    ("admin:reviews_communityreview_changelist",      "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:reviews_communityreview_change:{review}", "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:reviews_reviewsummary_changelist",        "GET",  302, 302, 302, 302, 403, 403, 403, 200),
    ("admin:moderation_reportedreview_changelist",    "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_reportedreview_change:{review}", "GET", 302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_report_changelist",            "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_report_change:{report}",       "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_moderationaction_changelist",  "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_moderationaction_change:{log}", "GET", 302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_blockedphrase_changelist",     "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_blockedphrase_change:{phrase}", "GET", 302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_suspension_changelist",        "GET",  302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:moderation_suspension_change:{suspension}", "GET", 302, 302, 302, 302, 403, 403, 200, 200),
    ("admin:suggestions_suggestion_changelist",       "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:suggestions_suggestion_change:{suggestion}", "GET", 302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:suggestions_titlechange_changelist",      "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:suggestions_titlechange_change:{change}", "GET",  302, 302, 302, 302, 200, 403, 403, 200),
    ("admin:newsletter_subscriber_changelist",        "GET",  302, 302, 302, 302, 403, 403, 403, 200),
    ("admin:newsletter_subscriber_change:{subscriber}", "GET", 302, 302, 302, 302, 403, 403, 403, 200),
    ("admin:newsletter_delivery_changelist",          "GET",  302, 302, 302, 302, 403, 403, 403, 200),
    # ---- admin actions (POST to the changelist)
    ("action:moderation_reportedreview:keep_selected:{review}",     "POST", 302, 302, 302, 302, 403, 403, 200, 200),
    ("action:moderation_reportedreview:hide_selected:{review}",     "POST", 302, 302, 302, 302, 403, 403, 200, 200),
    ("action:moderation_reportedreview:remove_selected:{review}",   "POST", 302, 302, 302, 302, 403, 403, 200, 200),
    ("action:moderation_reportedreview:restore_selected:{review}",  "POST", 302, 302, 302, 302, 403, 403, 200, 200),
    ("action:moderation_reportedreview:suspend_authors:{review}",   "POST", 302, 302, 302, 302, 403, 403, 200, 200),
    ("action:moderation_suspension:lift_selected:{suspension}",     "POST", 302, 302, 302, 302, 403, 403, 302, 302),
    ("action:suggestions_suggestion:accept_selected:{suggestion}",  "POST", 302, 302, 302, 302, 200, 403, 403, 200),
    ("action:suggestions_suggestion:reject_selected:{suggestion}",  "POST", 302, 302, 302, 302, 200, 403, 403, 200),
    ("action:newsletter_subscriber:export_csv:{subscriber}",        "POST", 302, 302, 302, 302, 403, 403, 403, 200),
    ("action:newsletter_subscriber:unsubscribe_selected:{subscriber}", "POST", 302, 302, 302, 302, 403, 403, 403, 302),
    ("action:movies_title:delete_selected:{title}",                 "POST", 302, 302, 302, 302, 200, "-", 403, 200),
]
# fmt: on


@pytest.fixture(autouse=True)
def quick_world(settings):
    """Hash passwords quickly; count every test account as established."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0


@pytest.fixture
def world():
    """One of everything the rows name, and one account per role."""
    moderator = f.make_moderator()
    people = {
        "parent": f.make_parent(),
        "kid": f.make_kid(),
        "susp": f.make_parent(),
        "editor": f.make_staff(groups=["Editors"]),
        "reviewer": f.make_staff(groups=["Reviewers"]),
        "moderator": moderator,
        "superuser": get_user_model().objects.create_superuser(
            email="root@example.com", password="a-long-test-password"
        ),
    }
    suspension = suspend_author(user=people["susp"], moderator=moderator, reason="spam")
    title = f.make_title(name="Run", year=2020)
    expert = f.make_review(title)
    draft = f.make_title(name="Unfinished", year=2021, status="draft")
    review = f.make_community_review(title, f.make_parent())
    hidden = f.make_community_review(title, f.make_parent(), status="hidden")
    report = f.make_report(review, f.make_parent(), comment="")
    suggestion = suggest_update(
        title=title, author=people["parent"], field="other", proposed={"text": "A typo."}
    )
    done = suggest_update(
        title=title, author=people["kid"], field="runtime_minutes", proposed={"value": 100}
    )
    accept_suggestion(suggestion=done, editor=people["editor"])
    subscriber = Subscriber.objects.create(email="reader@example.com", kids_ages=[8])
    Delivery.objects.create(subscriber=subscriber, week="2026-01-05", title_count=1)
    ids = {
        "slug": title.slug,
        "draft_slug": draft.slug,
        "list_slug": f.make_list([title]).slug,
        "title": title.pk,
        "expert": expert.pk,
        "review": review.pk,
        "hidden_review": hidden.pk,
        "report": report.pk,
        "log": ModerationAction.objects.order_by("-pk").first().pk,
        "phrase": BlockedPhrase.objects.create(phrase="buy now").pk,
        "suspension": suspension.pk,
        "suggestion": suggestion.pk,
        "change": TitleChange.objects.order_by("-pk").first().pk,
        "subscriber": subscriber.pk,
        "parent": people["parent"].pk,
    }
    assert ReviewSummary.objects.exists() and Report.objects.exists()
    assert Suspension.objects.exists() and Suggestion.objects.exists()
    return people, ids


def resolve(address, ids):
    """Turn a row's address into (url, POST data)."""
    from django.urls import reverse

    if address.startswith("admin:"):
        name, _, obj = address.partition(":{")
        args = [ids[obj.rstrip("}")]] if obj else []
        return reverse(name, args=args), {}
    if address.startswith("action:"):
        _, model, action, obj = address.split(":")
        data = {"action": action, ACTION_CHECKBOX_NAME: [ids[obj.strip("{}")]], "index": 0}
        return reverse(f"admin:{model}_changelist"), data
    return address.format(**ids), {}


def outcome(address, response):
    """The status, or "-" when an admin action is not on offer to this person."""
    from django.contrib.messages import get_messages

    if not address.startswith("action:"):
        return response.status_code
    if response.status_code == 200 and any(
        (t.name or "").endswith("change_list.html") for t in response.templates
    ):
        return "-"
    if response.status_code == 302:
        said = [str(m) for m in get_messages(response.wsgi_request)]
        if any("No action selected" in m for m in said):
            return "-"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_the_expected_status_everywhere(client, world, role):
    """Every row of MATRIX answers this role with the status the table says."""
    people, ids = world
    if role != "anon":
        client.force_login(people[role])
    wrong = []
    for address, method, *expected in MATRIX:
        want = expected[ROLES.index(role)]
        url, data = resolve(address, ids)
        if method == "POST":
            response = client.post(url, data)
        else:
            response = client.get(url)
        got = outcome(address, response)
        if got != want:
            wrong.append(f"{address} {method}: expected {want}, got {got}")
        if role != "anon" and address == "/accounts/logout/":
            client.force_login(people[role])
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_admin_list_and_action():
    """Every registered admin model has a changelist row and every custom action a row."""
    from django.contrib import admin

    rows = {row[0] for row in MATRIX}
    missing = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        if f"admin:{prefix}_changelist" not in rows:
            missing.append(f"admin:{prefix}_changelist")
        for action in model_admin.actions or ():
            name = getattr(action, "__name__", action)
            if not any(row.startswith(f"action:{prefix}:{name}:") for row in rows):
                missing.append(f"action:{prefix}:{name}")
    assert not missing, missing
