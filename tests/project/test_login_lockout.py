"""Sign-in brute force is throttled by django-axes, on the site and in the admin."""

import pytest
from django.urls import reverse

from tests.factories import make_parent, make_staff

pytestmark = pytest.mark.django_db


PASSWORD = "a-long-test-password"


def _sign_in(client, url, email, password, ip="203.0.113.5"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url_name", ["accounts:login", "admin:login"])
def test_five_wrong_passwords_lock_out_even_the_right_one(client, settings, url_name):
    """After five wrong passwords the right one is refused with the "try later" page."""
    settings.AXES_FAILURE_LIMIT = 5
    user = make_staff() if url_name == "admin:login" else make_parent()
    url = reverse(url_name)
    for _ in range(5):
        response = _sign_in(client, url, user.email, "wrong-password")
    response = _sign_in(client, url, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_still_let_the_owner_in(client):
    """Below the limit a correct password signs in and clears the count."""
    user = make_parent()
    url = reverse("accounts:login")
    for _ in range(4):
        assert _sign_in(client, url, user.email, "wrong-password").status_code == 200
    assert _sign_in(client, url, user.email, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout_is_per_email_and_ip(client):
    """A locked pair does not lock the same email from another IP, nor another email."""
    user, other = make_parent(), make_parent()
    url = reverse("accounts:login")
    for _ in range(5):
        _sign_in(client, url, user.email, "wrong-password")
    assert _sign_in(client, url, user.email, PASSWORD, ip="198.51.100.7").status_code == 302
    client.logout()
    assert _sign_in(client, url, other.email, PASSWORD).status_code == 302


def test_cool_off_ends_the_lockout(client, settings):
    """Once the cool-off time has passed the right password works again."""
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    user = make_parent()
    url = reverse("accounts:login")
    for _ in range(5):
        _sign_in(client, url, user.email, "wrong-password")
    assert _sign_in(client, url, user.email, PASSWORD).status_code == 302


def test_a_client_address_that_is_not_an_ip_still_signs_in(client, settings):
    """A mangled X-Forwarded-For behind a proxy is stored as unknown, not a 500."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = make_parent()
    url = reverse("accounts:login")
    response = client.post(
        url,
        {"username": user.email, "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 200
    assert _sign_in(client, url, user.email, PASSWORD).status_code == 302
