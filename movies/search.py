"""
The search box: titles, cast, directors and studios, forgiving of case, accents and typos.

Every title stores normalised copies (lowercase, accents and punctuation removed) of what
the search box looks at: `search_name`, `search_people` (cast and directors, in billing
order) and `search_studio`. `update_search_fields()` rewrites them after any change to a
title, its credits, a person or a studio (the signal receivers below call it; the
`update_search_index` command rebuilds everything after bulk imports).

On PostgreSQL the copies feed a stored, weighted `search_vector` (name A, people B,
studio C) with a GIN index, matched by a websearch query and ranked by `ts_rank`; typos
are caught by pg_trgm similarity on the normalised copies, through trigram GIN indexes.
On SQLite the same copies are scored word by word in Python (registered as the SQL
function `fsg_search_score`): exact words, prefixes, then words one or two edits away.
Both answer the same question the same way for typical searches, so one test suite runs
on both.
"""

import bisect
import logging
import re
import threading
import time
import unicodedata
from collections import defaultdict
from functools import lru_cache
from itertools import islice

from django.apps import apps
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

# PostgreSQL's text search configuration: English stemming ("girls" finds "Girl").
SEARCH_CONFIG = "english"
# The fields that a search looks at, and how much a match in each counts.
FIELD_WEIGHTS = {"search_name": 1.0, "search_people": 0.4, "search_studio": 0.2}
# A title whose whole name is the query goes first ("run" finds Run before Running Man).
EXACT_NAME_BONUS = 1.0
MAX_QUERY_LENGTH = 200
# Small words that a query may contain without every result having to contain them.
STOP_WORDS = {"a", "an", "and", "in", "of", "on", "or", "the", "to"}
CREDIT_ROLES_SEARCHED = ("director", "actor")

logger = logging.getLogger(__name__)

_NOT_WORD = re.compile(r"[^\w]+")
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def strip_accents(text):
    """Return `text` without accents: "Zoë Saldaña" becomes "Zoe Saldana"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text):
    """Return `text` lowercased, without accents or punctuation, spaces collapsed."""
    words = _NOT_WORD.sub(" ", strip_accents(text or "").casefold().replace("_", " "))
    return " ".join(words.split())


def normalise_query(text):
    """
    Return a search query lowercased and without accents, keeping websearch syntax.

    Quotes ("exact phrase") and a minus before a word (-scary) keep their meaning for
    PostgreSQL's websearch parser; a hyphen inside a word ("spider-man") becomes a space,
    as it did when the titles were normalised.
    """
    text = strip_accents(text or "").casefold()[:MAX_QUERY_LENGTH]
    text = _INNER_HYPHEN.sub(" ", text)
    text = re.sub(r'[^\w"\s-]+', " ", text).replace("_", " ")
    return " ".join(text.split())


def _batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


@lru_cache(maxsize=256)
def query_terms(text):
    """Split a query into (wanted words, excluded words), for the SQLite scorer."""
    wanted, excluded = [], []
    for raw in normalise_query(text).replace('"', " ").split():
        word = normalise(raw)
        if not word:
            continue
        if raw.startswith("-"):
            excluded.extend(word.split())
        else:
            wanted.extend(word.split())
    meaningful = [word for word in wanted if word not in STOP_WORDS]
    return tuple(meaningful or wanted), tuple(excluded)


# Indexing ---------------------------------------------------------------------------


def update_search_fields(title_ids=None, *, using=DEFAULT_DB_ALIAS, title_model=None):
    """
    Rewrite the search copies (and on PostgreSQL the search vector) of some titles.

    `title_ids=None` means every title. `title_model` lets a migration pass its
    historical model. Returns the number of titles updated.
    """
    Title = title_model or apps.get_model("movies", "Title")
    Credit = Title._meta.get_field("credits").related_model
    titles = Title._default_manager.using(using).order_by("pk")
    if title_ids is not None:
        title_ids = list(title_ids)
        if not title_ids:
            return 0
        titles = titles.filter(pk__in=title_ids)
    is_postgres = connections[using].vendor == "postgresql"
    updated = 0
    rows = titles.values_list("pk", "name", "studio__name").iterator(chunk_size=1000)
    for batch in _batched(rows, 1000):
        ids = [pk for pk, _, _ in batch]
        people = defaultdict(list)
        credits = (
            Credit._default_manager.using(using)
            .filter(title_id__in=ids, role__in=CREDIT_ROLES_SEARCHED)
            .order_by("title_id", "role", "order", "pk")
            .values_list("title_id", "person__name")
        )
        for title_id, person_name in credits:
            people[title_id].append(person_name)
        rows = [
            (pk, normalise(name), normalise(" ".join(people[pk])), normalise(studio or ""))
            for pk, name, studio in batch
        ]
        if is_postgres:
            _write_postgres(rows, table=Title._meta.db_table, using=using)
        else:
            Title._default_manager.using(using).bulk_update(
                [
                    Title(pk=pk, search_name=n, search_people=p, search_studio=s)
                    for pk, n, p, s in rows
                ],
                ["search_name", "search_people", "search_studio"],
            )
        updated += len(batch)
    forget_matches()
    if not is_postgres:
        new_word_index_version()
    return updated


def _write_postgres(rows, *, table, using):
    """
    Write a batch of search copies and their vector in one UPDATE ... FROM (VALUES ...).

    The vector weighs the name A, the people B and the studio C. One statement updates
    each row (and its GIN indexes) once; bulk_update() and then an update() with
    SearchVector would cost two statements and a CASE per row and column.
    """
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    vector = " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}', v.{column}), '{weight}')"
        for column, weight in (("name", "A"), ("people", "B"), ("studio", "C"))
    )
    sql = (
        f"UPDATE {connections[using].ops.quote_name(table)} AS t "
        "SET search_name = v.name, search_people = v.people, search_studio = v.studio, "
        f"search_vector = {vector} "
        f"FROM (VALUES {values}) AS v(id, name, people, studio) WHERE t.id = v.id"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


# Searching --------------------------------------------------------------------------


def _edit_distance_at_most(a, b, limit):
    """True if `a` and `b` are at most `limit` edits apart (a swap of neighbours is one)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                previous2 is not None
                and i > 1
                and j > 1
                and char_a == b[j - 2]
                and a[i - 2] == char_b
            ):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def _typo_allowance(word):
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def _word_match(term, words):
    """How well one query word matches a field's words: 1 exact, .8 prefix, .5 typo."""
    if term in words:
        return 1.0
    if len(term) >= 2 and any(word.startswith(term) for word in words):
        return 0.8
    allowance = _typo_allowance(term)
    if allowance:
        pieces = required_pieces(term)
        for word in words:
            if _word_may_match(word, pieces) and _edit_distance_at_most(term, word, allowance):
                return 0.5
    return 0.0


def score_text_match(query, name, people, studio):
    """
    Score a title for a query (0 = no match) from its normalised search copies.

    Every meaningful query word must match somewhere (as PostgreSQL's websearch query
    requires); each counts by the best field it matches, weighted like the vector.
    Excluded words (-word) must match nowhere.
    """
    wanted, excluded = query_terms(query or "")
    if not wanted:
        return 0.0
    fields = [
        (set((name or "").split()), FIELD_WEIGHTS["search_name"]),
        (set((people or "").split()), FIELD_WEIGHTS["search_people"]),
        (set((studio or "").split()), FIELD_WEIGHTS["search_studio"]),
    ]
    if any(term in words for term in excluded for words, _ in fields):
        return 0.0
    total = 0.0
    for term in wanted:
        best = max(weight * _word_match(term, words) for words, weight in fields)
        if best == 0:
            return 0.0
        total += best
    score = total / len(wanted)
    if (name or "") == " ".join(wanted) or (name or "") == normalise(query):
        score += EXACT_NAME_BONUS
    return score


def _swapped(word, boundary):
    """`word` with the two letters either side of `boundary` swapped."""
    return word[: boundary - 1] + word[boundary] + word[boundary - 1] + word[boundary + 1 :]


@lru_cache(maxsize=1024)
def required_pieces(term):
    """
    What a word must look like to match `term` as `_word_match` does (the word itself,
    a word it begins, or a word within its typo allowance): a list of (piece, where)
    of which at least one holds, `where` being "start" (the word starts with the piece),
    "end" (ends with it) or "in" (contains it).

    One edit allowed: an edit in the second half leaves the word starting with the first
    half; one in the first half leaves it ending with the second; the swap of the two
    letters around the middle, which breaks both halves, gives the swapped word itself.
    Two edits: two plain edits leave one of the word's thirds whole (the first at the
    start, the last at the end, the middle one somewhere); if one of them swaps the
    letters around a cut, what is left is one edit from that swapped word.
    The word index looks words up by these, and the scorer tests them before working
    out edit distances.
    """
    allowance = _typo_allowance(term)
    if allowance == 0:
        return [(term, "start")]

    def within_one(word):
        half = len(word) // 2
        return [(word[:half], "start"), (word[half:], "end"), (_swapped(word, half), "in")]

    if allowance == 1:
        return within_one(term)
    third = len(term) // 3
    cuts = (third, len(term) - third)
    pieces = [(term[: cuts[0]], "start"), (term[cuts[0] : cuts[1]], "in"), (term[cuts[1] :], "end")]
    for cut in cuts:
        pieces += within_one(_swapped(term, cut))
    return list(dict.fromkeys(pieces))


def _word_may_match(word, pieces):
    for piece, where in pieces:
        if where == "start":
            if word.startswith(piece):
                return True
        elif where == "end":
            if word.endswith(piece):
                return True
        elif piece in word:
            return True
    return False


# SQLite's word index -------------------------------------------------------------------
#
# SQLite has no trigram index, and calling the Python scorer on every title costs about a
# second at 17,000 titles. So each process keeps, in memory, every distinct word of the
# search copies with the titles that have it (about 50,000 words and 500,000 entries for
# the bokeh catalog, some 20 MB, built in under a second). A query's words are looked up
# in it as the scorer would match them (`required_pieces` narrows the typo candidates to
# a few sorted-range lookups), which gives the few titles the scorer then ranks.
# `update_search_fields` renews a version in the cache; an index older than the version,
# or than WORD_INDEX_MAX_AGE seconds (for a cache that other processes don't share),
# is rebuilt on the next search.

WORD_INDEX_VERSION_KEY = "search:word-index-version"
WORD_INDEX_MAX_AGE = 300
# Above this many candidate titles, the scorer runs on the whole table instead.
WORD_INDEX_MAX_IDS = 5000
_LAST_CHAR = "\U0010ffff"


def new_word_index_version():
    from django.core.cache import cache

    try:
        cache.set(WORD_INDEX_VERSION_KEY, time.time_ns(), None)
    except Exception:
        logger.warning("Could not renew the search word index version.", exc_info=True)


def _word_index_version():
    from django.core.cache import cache

    try:
        return cache.get_or_set(WORD_INDEX_VERSION_KEY, time.time_ns, None)
    except Exception:
        return None


class WordIndex:
    """Every word of the titles' search copies, with the ids of the titles that have it."""

    def __init__(self, rows):
        postings = defaultdict(list)
        for pk, name, people, studio in rows:
            for word in set(f"{name} {people} {studio}".split()):
                postings[word].append(pk)
        self.postings = dict(postings)
        self.words = sorted(postings)
        self.reversed = sorted(word[::-1] for word in postings)
        self.by_length = defaultdict(list)
        for word in self.words:
            self.by_length[len(word)].append(word)
        self.built_at = time.monotonic()

    @staticmethod
    def _starting(sorted_words, prefix):
        start = bisect.bisect_left(sorted_words, prefix)
        end = bisect.bisect_left(sorted_words, prefix + _LAST_CHAR, lo=start)
        return sorted_words[start:end]

    def matching_words(self, term):
        """The words `_word_match` would accept for `term`: itself, longer words it
        begins, and words within its typo allowance."""
        if len(term) >= 2:
            found = set(self._starting(self.words, term))
        else:
            found = {term} if term in self.postings else set()
        allowance = _typo_allowance(term)
        if not allowance:
            return found
        near = set()
        lengths = range(len(term) - allowance, len(term) + allowance + 1)
        for piece, where in required_pieces(term):
            if where == "start":
                near.update(self._starting(self.words, piece))
            elif where == "end":
                near.update(w[::-1] for w in self._starting(self.reversed, piece[::-1]))
            else:
                near.update(w for n in lengths for w in self.by_length.get(n, ()) if piece in w)
        found.update(
            word
            for word in near - found
            if len(word) in lengths and _edit_distance_at_most(term, word, allowance)
        )
        return found

    def candidates(self, query):
        """The ids of titles whose copies match every wanted word and no excluded one."""
        wanted, excluded = query_terms(query or "")
        if not wanted:
            return set()  # as the scorer: excluded words alone match nothing
        ids = None
        for term in wanted:
            matched = set()
            for word in self.matching_words(term):
                matched.update(self.postings[word])
            ids = matched if ids is None else ids & matched
            if not ids:
                return set()
        for term in excluded:
            ids -= set(self.postings.get(term, ()))
        return ids or set()


_word_indexes = {}
_word_index_lock = threading.Lock()


def word_index(using=DEFAULT_DB_ALIAS):
    """This process's word index for database `using`, rebuilt when it is out of date."""
    version = _word_index_version()
    with _word_index_lock:
        current = _word_indexes.get(using)
        if (
            current is None
            or version is None
            or current[0] != version
            or time.monotonic() - current[1].built_at > WORD_INDEX_MAX_AGE
        ):
            Title = apps.get_model("movies", "Title")
            rows = (
                Title._default_manager.using(using)
                .values_list("pk", "search_name", "search_people", "search_studio")
                .iterator(chunk_size=5000)
            )
            current = (version, WordIndex(rows))
            _word_indexes[using] = current
        return current[1]


def register_sqlite_functions(connection):
    """Make `fsg_search_score(query, name, people, studio)` callable from SQLite's SQL."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_function(
            "fsg_search_score", 4, score_text_match, deterministic=True
        )


@receiver(connection_created, dispatch_uid="movies.search.sqlite_functions")
def _on_connection_created(sender, connection, **kwargs):
    register_sqlite_functions(connection)


class SQLiteSearchScore(Func):
    function = "fsg_search_score"
    output_field = FloatField()


def search_rank_expression(query, *, vendor):
    """The relevance of each title to `query` (higher is better), for ordering."""
    normalised = normalise(query)
    if vendor == "postgresql":
        search_query = SearchQuery(
            normalise_query(query), search_type="websearch", config=SEARCH_CONFIG
        )
        exact = Case(
            When(search_name=normalised, then=Value(EXACT_NAME_BONUS)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        return (
            SearchRank(F("search_vector"), search_query)
            + TrigramSimilarity("search_name", normalised)
            + FIELD_WEIGHTS["search_people"] * TrigramWordSimilarity(normalised, "search_people")
            + exact
        )
    return SQLiteSearchScore(Value(query), F("search_name"), F("search_people"), F("search_studio"))


_request_local = threading.local()


def _matches_this_request():
    """{(database, query): matching title ids}, kept until the next request starts or
    the search copies change (so a command or a test that edits titles never reads an
    old list)."""
    memo = getattr(_request_local, "matches", None)
    if memo is None:
        memo = _request_local.matches = {}
    return memo


@receiver(request_started, dispatch_uid="movies.search.forget_matches")
def forget_matches(**kwargs):
    _request_local.matches = {}


def search_match_condition(queryset, query):
    """
    The WHERE condition for titles matching `query`, and the aliases it needs.

    PostgreSQL: the vector matches, or the name is trigram-similar to the query, or the
    query is trigram-similar to a stretch of the people or studio. Each test is its own
    `pk IN (subquery)` so that each uses its GIN index: ORed together in one WHERE, the
    planner underestimates the trigram operators and scans the whole table instead.
    SQLite: the word index names the title (or, for a query that matches thousands of
    titles, the Python scorer says it matches).
    """
    if connections[queryset.db].vendor == "postgresql":
        wanted, excluded = query_terms(query or "")
        # The trigram tests look for the wanted words only ("-run" must not find Run).
        normalised = " ".join(wanted)
        search_query = SearchQuery(
            normalise_query(query), search_type="websearch", config=SEARCH_CONFIG
        )
        tests = [Q(search_vector=search_query)]
        if normalised:
            tests += [
                Q(search_name__trigram_similar=normalised),
                Q(search_people__trigram_word_similar=normalised),
                Q(search_studio__trigram_word_similar=normalised),
            ]
        titles = queryset.model._default_manager.using(queryset.db)
        condition = Q()
        for test in tests:
            condition |= Q(pk__in=titles.filter(test).values("pk"))
        if excluded:
            # A title with a word to leave out is left out, whichever test found it.
            unwanted = SearchQuery(
                " or ".join(excluded), search_type="websearch", config=SEARCH_CONFIG
            )
            condition &= ~Q(pk__in=titles.filter(search_vector=unwanted).values("pk"))
        # A search page filters by the query three times (filter counts, the count, the
        # page), and the people's word-similarity recheck is most of each: name the
        # matching titles once per request and let the three read that list.
        key = (queryset.db, query)
        memo = _matches_this_request()
        if key not in memo:
            memo[key] = list(
                titles.filter(condition).values_list("pk", flat=True)[: WORD_INDEX_MAX_IDS + 1]
            )
        if len(memo[key]) <= WORD_INDEX_MAX_IDS:
            return Q(pk__in=memo[key]), {}
        return condition, {}
    aliases = {
        "search_score": SQLiteSearchScore(
            Value(query), F("search_name"), F("search_people"), F("search_studio")
        )
    }
    # The word index applies the scorer's rules to every word at once, so it names
    # exactly the titles the scorer would match; the scorer then only ranks them.
    ids = word_index(queryset.db).candidates(query)
    if len(ids) <= WORD_INDEX_MAX_IDS:
        return Q(pk__in=sorted(ids)), {}
    return Q(search_score__gt=0), aliases


def search_titles(queryset, query):
    """Narrow a Title queryset to matches for `query`, annotated with `rank`."""
    connection = connections[queryset.db]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        register_sqlite_functions(connection)
    condition, aliases = search_match_condition(queryset, query)
    return (
        queryset.alias(**aliases)
        .filter(condition)
        .annotate(rank=search_rank_expression(query, vendor=connection.vendor))
    )


def filter_by_search(queryset, query):
    """Narrow a Title queryset to matches for `query`, without computing the rank."""
    connection = connections[queryset.db]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        register_sqlite_functions(connection)
    condition, aliases = search_match_condition(queryset, query)
    return queryset.alias(**aliases).filter(condition)


# Keeping the copies up to date -------------------------------------------------------

SEARCHED_TITLE_FIELDS = {"name", "studio", "studio_id"}


@receiver(post_save, sender="movies.Title", dispatch_uid="movies.search.title_saved")
def _title_saved(sender, instance, raw=False, update_fields=None, using=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not SEARCHED_TITLE_FIELDS & set(update_fields):
        return
    update_search_fields([instance.pk], using=using or DEFAULT_DB_ALIAS)


@receiver(post_save, sender="movies.Credit", dispatch_uid="movies.search.credit_saved")
@receiver(post_delete, sender="movies.Credit", dispatch_uid="movies.search.credit_deleted")
def _credit_changed(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    update_search_fields([instance.title_id], using=using or DEFAULT_DB_ALIAS)


@receiver(post_save, sender="movies.Person", dispatch_uid="movies.search.person_saved")
def _person_saved(sender, instance, raw=False, created=False, using=None, **kwargs):
    if raw or created:
        return
    using = using or DEFAULT_DB_ALIAS
    title_ids = set(instance.credits.using(using).values_list("title_id", flat=True))
    update_search_fields(title_ids, using=using)


@receiver(post_save, sender="movies.Studio", dispatch_uid="movies.search.studio_saved")
def _studio_saved(sender, instance, raw=False, created=False, using=None, **kwargs):
    if raw or created:
        return
    using = using or DEFAULT_DB_ALIAS
    update_search_fields(instance.titles.using(using).values_list("pk", flat=True), using=using)


@receiver(pre_delete, sender="movies.Studio", dispatch_uid="movies.search.studio_deleting")
def _studio_deleting(sender, instance, using=None, **kwargs):
    # The titles lose their studio (SET_NULL) without a signal of their own: remember them.
    instance._search_title_ids = list(instance.titles.values_list("pk", flat=True))


@receiver(post_delete, sender="movies.Studio", dispatch_uid="movies.search.studio_deleted")
def _studio_deleted(sender, instance, using=None, **kwargs):
    update_search_fields(
        getattr(instance, "_search_title_ids", []), using=using or DEFAULT_DB_ALIAS
    )
