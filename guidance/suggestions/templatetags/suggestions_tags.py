from django import template

from guidance.suggestions.models import Suggestion

register = template.Library()


@register.simple_tag
def suggestions_of(user, limit=50):
    """A person's latest suggestions with their titles, for their profile."""
    return list(Suggestion.objects.for_user(user)[:limit])
