"""Fixtures for the moderation tests: a review, its readers, and the staff who judge it."""

import pytest

from tests import factories as f

BODY = (
    "We watched this on a Friday night. The chase scenes were tense but fine for our "
    "eleven-year-old, and the ending started a good talk about honesty."
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash the test users' passwords quickly; these tests are not about passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_new_account_queue(settings):
    """Test accounts are all brand new; only the tests about that rule turn it on."""
    settings.MODERATION_NEW_ACCOUNT_HOURS = 0


@pytest.fixture
def title():
    title = f.make_title(name="Run", year=2020)
    f.make_review(title, age_rating=13)
    return title


@pytest.fixture
def author():
    return f.make_parent(display_name="Dana Author")


@pytest.fixture
def review(title, author):
    return f.make_community_review(
        title, author, age_rating=12, stars=4, headline="Tense but worth it", body=BODY
    )


@pytest.fixture
def readers():
    return [f.make_parent(display_name=f"Reader {n}") for n in range(1, 6)]


@pytest.fixture
def moderator():
    return f.make_staff(groups=["Moderators"], display_name="Morgan Moderator")


@pytest.fixture
def editor():
    return f.make_staff(groups=["Editors"], display_name="Ellis Editor")
