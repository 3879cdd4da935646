"""Template tags for showing ratings the same way everywhere: stars, ages and levels."""

from django import template

from guidance.ratings.models import MAX_LEVEL, MAX_STARS

register = template.Library()

LEVEL_WORDS = {
    0: "None",
    1: "A little",
    2: "Some",
    3: "A fair amount",
    4: "A lot",
    5: "Very much",
}


@register.inclusion_tag("includes/stars.html")
def stars(value, size=""):
    """Show 0-5 stars as symbols, with the number in words for screen readers."""
    if value in (None, ""):
        return {"value": None}
    rounded = max(0, min(MAX_STARS, round(float(value))))
    return {
        "value": value,
        "label": f"{float(value):.1f}".rstrip("0").rstrip("."),
        "filled": range(rounded),
        "empty": range(MAX_STARS - rounded),
        "size": size,
    }


@register.inclusion_tag("includes/level.html")
def level(value, kind="concern"):
    """Show a grid level 0-5 as dots plus text, so it reads without colour."""
    return {
        "value": value,
        "word": LEVEL_WORDS.get(value, ""),
        "filled": range(value),
        "empty": range(MAX_LEVEL - value),
        "kind": kind,
        "max": MAX_LEVEL,
    }


@register.filter
def level_word(value):
    """Return the plain-language word for a level, like "A lot" for 4."""
    return LEVEL_WORDS.get(value, "")
