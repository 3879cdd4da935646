"""
What search engines and link previews read: canonical addresses and schema.org JSON-LD.

The JSON-LD is built as Python data and serialised with json.dumps, never by pasting
values into a template, so a title named "</script>" cannot end the script element.
"""

import json

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from guidance.ratings.models import MAX_STARS, MIN_STARS

register = template.Library()

# Inside <script>, "</script>" or "<!--" in a value would end or confuse the element; JSON
# allows writing these characters as \\u escapes, which parse back to the same string.
SCRIPT_SAFE_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(request, url):
    """Return `url` (a path, or a full address) as a full address on this site."""
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """Return this page's one address: no query string except a page number after the first."""
    request = context.get("request")
    if request is None:
        return ""
    url = absolute(request, request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        url += f"?page={page}"
    return url


@register.simple_tag(takes_context=True)
def absolute_url(context, view_name, *args, **kwargs):
    """Return the full address of a named route, like {% url %} with scheme and host."""
    return absolute(context["request"], reverse(view_name, args=args, kwargs=kwargs))


@register.simple_tag(takes_context=True)
def poster_url(context, title):
    """Return the full address of a title's poster, or "" when it has none."""
    if not title.poster:
        return ""
    return absolute(context["request"], title.poster.url)


@register.simple_tag
def title_description(title, review=None):
    """Return the one-line description a link preview shows: our summary, if published."""
    if review is not None and review.is_published:
        return review.summary
    return f"{title.name} ({title.year}): what parents need to know."


def json_ld_script(data):
    """Return `data` as a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.translate(SCRIPT_SAFE_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def iso_duration(minutes):
    """Return a run time in minutes as an ISO 8601 duration, like PT1H30M."""
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")


def person(name):
    return {"@type": "Person", "name": name}


def movie_data(request, title, review):
    """Return schema.org Movie data for a title, with our review if it is published."""
    data = {
        "@context": "https://schema.org",
        "@type": "Movie",
        "name": title.name,
        "url": absolute(request, title.get_absolute_url()),
    }
    released = title.theatrical_release or title.streaming_release
    data["datePublished"] = released.isoformat() if released else str(title.year)
    if title.runtime_minutes:
        data["duration"] = iso_duration(title.runtime_minutes)
    if title.mpaa_rating:
        data["contentRating"] = (
            "Not Rated"
            if title.mpaa_rating == title.MPAA.NOT_RATED
            else f"MPAA {title.mpaa_rating}"
        )
    if title.poster:
        data["image"] = absolute(request, title.poster.url)
    if genres := [genre.name for genre in title.genres]:
        data["genre"] = genres
    if directors := [person(credit.person.name) for credit in title.directors]:
        data["director"] = directors
    if actors := [person(credit.person.name) for credit in title.cast]:
        data["actor"] = actors
    if title.studio:
        data["productionCompany"] = {"@type": "Organization", "name": title.studio.name}
    if review is not None and review.is_published:
        data["description"] = review.summary
        data["typicalAgeRange"] = f"{review.age_rating}-"
        data["review"] = {
            "@type": "Review",
            "author": person(review.reviewer.display_name),
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": review.stars,
                "bestRating": MAX_STARS,
                "worstRating": MIN_STARS,
            },
            "reviewBody": review.summary,
        }
        if review.published_at:
            data["review"]["datePublished"] = review.published_at.date().isoformat()
    if title.community_review_count > 0:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(title.community_rating, 1),
            "reviewCount": title.community_review_count,
            "bestRating": MAX_STARS,
            "worstRating": MIN_STARS,
        }
    return data


@register.simple_tag(takes_context=True)
def title_json_ld(context, title, review=None):
    """Render a title's schema.org Movie (with review and ratings) as JSON-LD."""
    return json_ld_script(movie_data(context["request"], title, review))
