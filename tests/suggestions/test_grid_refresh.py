import pytest

from guidance.accounts.models import EffectiveFacts
from guidance.accounts.services import refresh_effective_levels
from guidance.ratings.models import ContentCategory
from guidance.suggestions.services import accept_suggestion, suggest_update
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_accepted_grid_change_reaches_family_verdicts():
    """Accepting a grid suggestion renews the levels that family verdicts and browse read."""
    title = f.make_title()
    f.make_review(title, grades={"language": 1})
    refresh_effective_levels(title_ids=[title.pk])
    language = ContentCategory.objects.get(slug="language")
    assert EffectiveFacts.objects.get(title=title).levels[language.pk - 1] == "1"
    suggestion = suggest_update(
        title=title,
        author=f.make_user(),
        field=f"grid:{language.slug}",
        proposed={"level": 4, "why": "Several strong words in the last act."},
    )
    accept_suggestion(suggestion=suggestion, editor=f.make_staff(groups=["Editors"]))
    assert EffectiveFacts.objects.get(title=title).levels[language.pk - 1] == "4"
