import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from guidance.accounts.services import register_user
from guidance.reviews.services import hide_review
from tests import factories as f

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "purple-otter-lantern-42"
THIS_YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signup_data(**overrides):
    data = {
        "display_name": "Sam's mum",
        "email": "sam.mum@example.com",
        "role": "parent",
        "birth_year": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def text(response):
    return response.content.decode()


def test_signup_page_shows_the_form(client):
    """The sign-up page asks for a name, email, role, birth year and password twice."""
    html = text(client.get(reverse("accounts:signup")))
    for name in ["display_name", "email", "role", "birth_year", "password1", "password2"]:
        assert f'name="{name}"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_parent_signs_up_and_is_signed_in(client):
    """A parent's account is created, signed in, and sent on to `next`."""
    response = client.post(
        reverse("accounts:signup") + "?next=/movies/", signup_data(next="/movies/")
    )
    assert response.status_code == 302
    assert response["Location"] == "/movies/"
    user = User.objects.get()
    assert (user.email, user.display_name, user.role, user.birth_year) == (
        "sam.mum@example.com",
        "Sam's mum",
        "parent",
        None,
    )
    assert user.check_password(PASSWORD)
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_parents_birth_year_is_not_kept(client):
    """A birth year typed by a parent is ignored."""
    client.post(reverse("accounts:signup"), signup_data(birth_year="1985"))
    assert User.objects.get().birth_year is None


def test_a_kid_of_13_signs_up(client):
    """A kid who turns 13 this year gets a kid account with their birth year."""
    client.post(
        reverse("accounts:signup"),
        signup_data(role="kid", birth_year=str(THIS_YEAR - 13), email="teen@example.com"),
    )
    user = User.objects.get()
    assert (user.role, user.birth_year) == ("kid", THIS_YEAR - 13)
    assert user.can_write_reviews


def test_a_kid_under_13_is_refused_kindly(client):
    """A 12-year-old is told, kindly, that kid accounts start at 13; nothing is created."""
    response = client.post(
        reverse("accounts:signup"), signup_data(role="kid", birth_year=str(THIS_YEAR - 12))
    )
    assert response.status_code == 200
    html = text(response)
    assert "Thank you for wanting to join in!" in html
    assert "Kid accounts are for ages 13 and up" in html
    assert "Kid accounts start at age 13." in html
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"role": "kid", "birth_year": ""}, "birth_year", "tell us the year you were born"),
        ({"role": "kid", "birth_year": "20x1"}, "birth_year", "four digits"),
        ({"role": "kid", "birth_year": str(THIS_YEAR + 1)}, "birth_year", "like 2011"),
        ({"role": "kid", "birth_year": str(THIS_YEAR - 30)}, "role", "for teenagers"),
        ({"role": "staff"}, "role", "Select a valid choice"),
        ({"role": ""}, "role", "parent or a kid"),
        ({"display_name": "x"}, "display_name", "at least 2 characters"),
        ({"display_name": "me@example.com"}, "display_name", "without"),
        ({"email": "not-an-email"}, "email", "valid email address"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
    ],
)
def test_bad_signup_input_gets_a_clear_message(client, overrides, field, message):
    """Each sign-up field is validated with a message that says what to fix."""
    response = client.post(reverse("accounts:signup"), signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not User.objects.exists()


def test_an_email_can_sign_up_only_once_whatever_its_case(client):
    """A second account with the same email, in any case, is refused."""
    f.make_parent(email="taken@example.com")
    response = client.post(reverse("accounts:signup"), signup_data(email="TAKEN@example.com"))
    assert "There is already an account with this email address" in text(response)
    assert User.objects.count() == 1


def test_register_user_refuses_staff_and_young_kids():
    """The service itself refuses staff accounts and kids under 13."""
    with pytest.raises(ValidationError):
        register_user(email="a@example.com", password=PASSWORD, display_name="A", role="staff")
    with pytest.raises(ValidationError):
        register_user(
            email="b@example.com",
            password=PASSWORD,
            display_name="B",
            role="kid",
            birth_year=THIS_YEAR - 10,
        )
    assert not User.objects.exists()


def test_signup_is_rate_limited(client, settings):
    """Past the sign-up limit, the form answers 429."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "1/h"}
    client.post(reverse("accounts:signup"), signup_data(email="bad", password2="x"))
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 429
    assert not User.objects.exists()


def test_sign_in_with_email_and_sign_out_with_post(client):
    """People sign in with their email (any case) and sign out with a POST."""
    user = f.make_parent(email="dana@example.com", password=PASSWORD)
    response = client.post(
        reverse("accounts:login"), {"username": "Dana@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"), follow=True)
    assert "You are signed out" in text(response)
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_message(client):
    """A wrong password says the two don't match, without saying which."""
    f.make_parent(email="dana@example.com", password=PASSWORD)
    response = client.post(
        reverse("accounts:login"), {"username": "dana@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "don&#x27;t match an account" in text(response)


def test_navigation_offers_sign_in_or_profile_and_sign_out(client):
    """Visitors see Sign in and Sign up; members see My profile and a Sign out button."""
    html = text(client.get(reverse("home")))
    assert "Sign in" in html and "Sign up" in html
    client.force_login(f.make_parent())
    html = text(client.get(reverse("home")))
    assert "My profile" in html
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)


def test_password_change_needs_sign_in_and_works(client):
    """Changing a password needs the old one and then signs in with the new one."""
    url = reverse("accounts:password_change")
    response = client.get(url)
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    user = f.make_parent(password=PASSWORD)
    client.force_login(user)
    new = "green-heron-window-77"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_by_email_end_to_end(client):
    """The reset form emails a link; the link sets a new password once."""
    user = f.make_parent(email="forgetful@example.com", password=PASSWORD)
    response = client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgetful@example.com"]
    assert message.subject == "Reset your Family Screen Guide password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in text(form_page)
    new = "quiet-maple-harbour-19"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert 'href="/accounts/login/"' in text(client.get(response["Location"]))
    user.refresh_from_db()
    assert user.check_password(new)
    assert "no longer works" in text(client.get(link, follow=True))


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    """Unknown addresses get the same answer, so the form does not reveal accounts."""
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_is_rate_limited(client, settings):
    """Past the password-reset limit, the form answers 429 and sends nothing more."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password-reset": "1/h"}
    f.make_parent(email="forgetful@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.com"})
    response = client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.com"})
    assert response.status_code == 429
    assert len(mail.outbox) == 1


def test_profile_lists_my_reviews_and_their_status(client):
    """My profile lists each of my reviews with its status, and not other people's."""
    url = reverse("accounts:profile")
    assert client.get(url)["Location"] == f"{reverse('accounts:login')}?next={url}"
    me = f.make_parent(display_name="Dana")
    shown = f.make_community_review(f.make_title(name="Run"), me, headline="Gripping stuff")
    hidden = f.make_community_review(f.make_title(name="Coco"), me, headline="Lovely music")
    hide_review(review=hidden)
    f.make_community_review(f.make_title(name="Up"), headline="Someone else's words")
    client.force_login(me)
    html = text(client.get(url))
    assert "Gripping stuff" in html and "Lovely music" in html
    assert "Someone else&#x27;s words" not in html
    assert "Hidden while our moderators look at it" in html
    assert "Public and counted in “Parents say”" in html
    assert reverse("reviews:delete", kwargs={"pk": shown.pk}) in html
