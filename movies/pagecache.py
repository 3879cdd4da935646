"""
The title page, kept whole in the shared cache for the visitors who all see the same page.

Who is served the cached copy
    A GET or HEAD of /movies/<slug>/ without a query string, from a visitor with no
    messages waiting and nothing in their session. An empty session is what makes a page
    everyone's: signing in, a family profile kept in this browser and messages too large
    for their cookie all live in the session and all change the page. A visitor without a
    session cookie is answered from one cache read (the page and its versions together)
    with no database query and no template; a session cookie costs a query to read it.
    Everyone else (signed in, staff, a family, a query string, a POST) gets the page
    rendered as before, which is never stored.

What is stored
    The body and the view's own headers of a 200 page that rendered no CSRF token, set no
    cookie and left the session alone, for TITLE_PAGE_CACHE_SECONDS. The middleware runs
    on a hit as on a render, so both responses are the same bytes with the same headers
    (Vary: Cookie included), and no visitor is ever handed another's CSRF token. Pages
    are kept per scheme and host, whose canonical and link-preview addresses they spell
    out, and per release (see release()), so a deploy never serves the last one's pages.

    TITLE_PAGE_CACHE_SECONDS = 0 (the default while DEBUG is on) stops this process
    reading and storing pages. Its changes still renew the versions: a command run with
    the cache off must not leave the web servers' copies stale.

Invalidation: versions, not deletes
    Two tokens kept in the cache stand for what a page shows: its title's version and the
    catalog version. A page is stored with the tokens read before it was rendered and is
    served only while both are current. A change to what pages show replaces a token (one
    cache write, whatever the number of pages), so the next request renders afresh and
    stores over the old copy. Tokens are random: one lost from the cache (evicted, Redis
    restarted) is made anew and can never match an old page again.

    Tokens are replaced when the transaction commits, never before: a request that read
    the old token and rendered from the database meanwhile stores its page with the old
    token, which is no longer current. Replaced before the commit, the new token could be
    stored with a page rendered from the data as it was before the change.

What replaces which token (the receivers are in movies/signals.py)
    The title's own version, for what shows on that page alone: the title's fields
    (the admin, accepted suggestions, any code that saves it), its tags, credits, offers,
    photos and videos; its expert review and the grid's grades; its community reviews
    written, edited or deleted, hidden, removed or restored by moderation (every status
    change recounts the title's ReviewSummary, which is saved), and helpful votes given
    or taken back; an accepted suggestion (a grid level or "Last updated" is written
    with a bulk update that sends no signal of its own).

    The catalog version, for changes that show on many title pages: they are rare
    editorial work, and finding every page they touch would cost more than rendering
    each page once more. A title whose slug, name, year, poster or status changes, or
    that is deleted: other titles' "Our Editors Recommend" lists show and link to it, and
    publishing or unpublishing adds it to them or takes it off. A change of genres (the
    lists are made of titles sharing genres) and any change to an editors' list. An
    expert review's age, stars or status, shown on those lists and ordering them. The
    name of a tag, studio, person or streaming service, a content category, and a
    person's display name (community reviews and expert bylines).

    Left to the expiry: writes that go around the models' signals (bulk_create,
    bulk_update, update() and raw SQL in bulk imports and recounts, which should call
    invalidate_all_title_pages() when they finish), and a Redis outage during a change
    (the token could not be replaced; the page expires).
"""

import functools
import hashlib
import logging
import secrets
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

CATALOG = "catalog"


@functools.cache
def release() -> str:
    """
    A fingerprint of what renders the page: this project's code and templates, and the
    static files' hashed names. A release that changes any of them starts without cached
    pages instead of serving the last release's (which may link to stylesheets that are
    gone), and servers running one release agree on it. Read once per process.
    """
    base = Path(settings.BASE_DIR).resolve()
    installed = Path(sys.prefix).resolve()
    roots = {Path(app.path).resolve() for app in apps.get_app_configs()}
    roots |= {Path(folder).resolve() for engine in settings.TEMPLATES for folder in engine["DIRS"]}
    digest = hashlib.sha256()
    for root in sorted(roots):
        if not root.is_relative_to(base) or root.is_relative_to(installed):
            continue  # Django and the packages change with requirements.txt, which is code
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def cache_seconds() -> int:
    """How long a page is kept; 0 when the title page cache is off."""
    return max(0, int(getattr(settings, "TITLE_PAGE_CACHE_SECONDS", 0)))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _version_key(name: str) -> str:
    return f"titlepage:version:{_digest(name)}"


def _title_version(slug: str) -> str:
    return f"title:{slug}"


def _new_token() -> str:
    return secrets.token_hex(8)


def shares_the_public_page(request) -> bool:
    """Whether this request gets the same title page as every anonymous visitor."""
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if CookieStorage.cookie_name in request.COOKIES:
        return False  # messages waiting to be shown
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Signed in, a family profile, messages kept there: read it (one query with the
        # database backend). An expired or unknown session reads as empty.
        return not request.session.keys()
    return True


class CachedTitlePage:
    """
    One title page's place in the cache, read for a request that may share it.

    The page and the two versions it depends on are read together (one round trip to
    Redis); the page is kept with the versions read before it was rendered, and served
    only while they are still current.
    """

    def __init__(self, request, *, key: str, versions: tuple, entry, seconds: int):
        self.request = request
        self.key = key
        self.versions = versions
        self.entry = entry
        self.seconds = seconds

    @classmethod
    def for_request(cls, request, *, slug: str) -> "CachedTitlePage | None":
        """The page's cache entry for this request, or None when it must be rendered."""
        seconds = cache_seconds()
        if not seconds or not shares_the_public_page(request):
            return None
        key = "titlepage:page:" + _digest(
            release(), request.scheme, request.get_host(), request.path
        )
        version_keys = [_version_key(CATALOG), _version_key(_title_version(slug))]
        try:
            found = cache.get_many([key, *version_keys])
            missing = [name for name in version_keys if name not in found]
            if missing:
                # add() keeps a token another request made meanwhile; read back the winner.
                for name in missing:
                    cache.add(name, _new_token(), None)
                found.update(cache.get_many(missing))
        except Exception:
            logger.warning("Title page cache unavailable; rendering the page.", exc_info=True)
            return None
        if any(name not in found for name in version_keys):
            return None  # the cache is not keeping anything (unavailable)
        versions = tuple(found[name] for name in version_keys)
        entry = found.get(key)
        if entry is not None and entry[0] != versions:
            entry = None
        return cls(request, key=key, versions=versions, entry=entry, seconds=seconds)

    def response(self) -> HttpResponse | None:
        """The stored page as a new response, or None on a miss."""
        if self.entry is None:
            return None
        _versions, content, headers = self.entry
        response = HttpResponse(content, headers=headers)
        # A rendered page varies on the cookie because the template asks who is signed in;
        # a hit asks nobody, so it says so itself.
        patch_vary_headers(response, ["Cookie"])
        return response

    def store(self, response) -> None:
        """Keep a freshly rendered page, if it holds nothing of this visitor's (a callback)."""
        request = self.request
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or getattr(getattr(request, "session", None), "modified", False)
        ):
            return
        entry = (self.versions, response.content, dict(response.headers))
        try:
            cache.set(self.key, entry, self.seconds)
        except Exception:
            logger.warning("Could not store a title page in the cache.", exc_info=True)


def _renew(names: list[str]) -> None:
    if names:
        cache.set_many({_version_key(name): _new_token() for name in names}, None)


def _renew_titles(*, slugs: set[str], title_ids: set[int], using: str) -> None:
    from movies.models import Title

    if title_ids:
        found = Title.objects.using(using).filter(pk__in=title_ids).values_list("slug", flat=True)
        slugs = slugs | set(found)
    _renew([_title_version(slug) for slug in sorted(slugs)])


def catalog_version() -> str:
    """
    The site-wide token: it changes whenever something that shows on many title pages
    does (see "What replaces which token" above). Caches of other things those changes
    move, such as each title's "Our Editors Recommend" ranking, key on it too.
    """
    key = _version_key(CATALOG)
    try:
        token = cache.get(key)
        if token is None:
            cache.add(key, _new_token(), None)  # keeps a token another request made
            token = cache.get(key)
    except Exception:
        logger.warning("Could not read the catalog version.", exc_info=True)
        token = None
    return token or "uncached"


def invalidate_title_pages(*, slugs=(), title_ids=(), using: str = DEFAULT_DB_ALIAS) -> None:
    """Once the transaction commits, make these titles' cached pages stale."""
    slugs = {slug for slug in slugs if slug}
    title_ids = {pk for pk in title_ids if pk is not None}
    if slugs or title_ids:
        transaction.on_commit(
            functools.partial(_renew_titles, slugs=slugs, title_ids=title_ids, using=using),
            using=using,
            robust=True,
        )


def invalidate_all_title_pages(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Once the transaction commits, make every cached title page stale."""
    transaction.on_commit(functools.partial(_renew, [CATALOG]), using=using, robust=True)
