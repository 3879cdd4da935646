import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_csrf_failure_is_a_friendly_403():
    """A POST without a CSRF token gets the site's explanation, not Django's debug page."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {})
    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()


def test_permission_denied_uses_the_site_template(client):
    """A 403 from a view renders the site's 403 page."""
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory
    from django.views.defaults import permission_denied

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You can't do that here" in response.content.decode()


def test_server_error_page_renders_without_context():
    """The 500 page renders with no request context (as Django renders it)."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
