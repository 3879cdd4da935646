"""The search box: relevance, forgiveness (case, accents, typos) and keeping the index fresh."""

import pytest
from django.urls import reverse

from movies.models import Credit, Title
from movies.search import normalise, normalise_query, score_text_match
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def films():
    """Six titles with casts, directors and studios, some of them sharing words."""

    def film(name, year, *, cast=(), director=None, studio=None):
        title = f.make_title(name=name, year=year, studio=studio)
        for order, person in enumerate(cast):
            f.make_credit(title, person=person, order=order)
        if director:
            f.make_credit(title, Credit.Role.DIRECTOR, person=director)
        return title

    paulson = f.make_person("Sarah Paulson")
    return {
        "run": film(
            "Run",
            2020,
            cast=[paulson, f.make_person("Kiera Allen")],
            director=f.make_person("Aneesh Chaganty"),
            studio=f.make_studio("Hulu"),
        ),
        "running": film("The Running Man", 1987, cast=[f.make_person("Maria Conchita Alonso")]),
        "oceans": film("Ocean's 8", 2018, cast=[paulson, f.make_person("Sandra Bullock")]),
        "coco": film(
            "Coco",
            2017,
            cast=[f.make_person("Anthony Gonzalez"), f.make_person("Gael García Bernal")],
            director=f.make_person("Lee Unkrich"),
            studio=f.make_studio("Pixar Animation Studios"),
        ),
        "mean": film("Mean Girls", 2004, cast=[f.make_person("Lindsay Lohan")]),
        "clown": film("Circus Days", 2015, cast=[f.make_person("Coco Martin")]),
    }


def search(client, query, **params):
    response = client.get(reverse("movies:browse"), {"q": query, **params})
    assert response.status_code == 200
    return [title.name for title in response.context["titles"]]


def test_exact_title_comes_first(client, films):
    """Searching "run" puts Run first, then titles that only contain the word."""
    names = search(client, "run")
    assert names[0] == "Run"
    assert "The Running Man" in names
    assert "Coco" not in names


def test_cast_member_finds_their_films(client, films):
    """Searching an actor's surname finds every film they are credited in, and only those."""
    assert set(search(client, "paulson")) == {"Run", "Ocean's 8"}


def test_full_name_finds_the_film(client, films):
    """A parent typing "kiera allen" finds Run."""
    assert search(client, "kiera allen") == ["Run"]


def test_misspelt_title_still_found(client, films):
    """Small typos in a title still find it, best match first."""
    assert search(client, "Mean Grils")[0] == "Mean Girls"
    assert search(client, "kiera alen")[0] == "Run"


def test_case_and_accents_do_not_matter(client, films):
    """Upper case and missing or extra accents still match."""
    assert search(client, "RUN")[0] == "Run"
    assert search(client, "gael garcia") == ["Coco"]
    assert search(client, "GÁEL GARCÍA") == ["Coco"]


def test_director_and_studio_are_searched(client, films):
    """Directors and studios are part of what the search box looks at."""
    assert search(client, "unkrich") == ["Coco"]
    assert search(client, "pixar") == ["Coco"]
    assert search(client, "chaganty") == ["Run"]


def test_title_match_outranks_cast_match(client, films):
    """A film called Coco comes before a film with an actor named Coco."""
    names = search(client, "coco")
    assert names[:2] == ["Coco", "Circus Days"]


def test_no_match_says_so(client, films):
    """A search that matches nothing shows an empty result with advice."""
    response = client.get(reverse("movies:browse"), {"q": "xylophonequartet"})
    assert list(response.context["titles"]) == []
    assert "Check the spelling" in response.content.decode()


def test_search_combines_with_filters(client, films):
    """A search is narrowed by the filters next to it."""
    f.make_review(films["run"], age_rating=13)
    f.make_review(films["oceans"], age_rating=12)
    assert search(client, "paulson", age=12) == ["Ocean's 8"]


def test_draft_titles_are_not_found(client, films):
    """Unpublished titles never appear in search results."""
    Title.objects.filter(pk=films["coco"].pk).update(status=Title.Status.DRAFT)
    assert search(client, "coco") == ["Circus Days"]


def test_renaming_a_person_updates_the_search(client, films):
    """After a person is renamed, the new name finds their films and the old one does not."""
    person = films["mean"].credits.get().person
    person.name = "Lindsay Morgan Lohan"
    person.save()
    assert search(client, "morgan") == ["Mean Girls"]


def test_credits_added_and_removed_update_the_search(client, films):
    """Adding a credit makes the film findable by that name; removing it undoes that."""
    credit = f.make_credit(films["mean"], person=f.make_person("Rachel McAdams"))
    assert search(client, "mcadams") == ["Mean Girls"]
    credit.delete()
    assert search(client, "mcadams") == []


def test_renaming_a_title_or_studio_updates_the_search(client, films):
    """Title and studio renames are searchable at once."""
    films["running"].name = "The Long Walk"
    films["running"].save()
    assert search(client, "long walk") == ["The Long Walk"]
    studio = films["coco"].studio
    studio.name = "Lamp Light Pictures"
    studio.save()
    assert search(client, "lamp light") == ["Coco"]


def test_update_search_index_command_rebuilds_everything(films):
    """The command rewrites every title's search fields (after bulk imports)."""
    from django.core.management import call_command

    Title.objects.update(search_name="", search_people="", search_studio="")
    call_command("update_search_index", verbosity=0)
    run = Title.objects.get(pk=films["run"].pk)
    assert run.search_name == "run"
    assert "kiera allen" in run.search_people
    assert run.search_studio == "hulu"


def test_search_text_is_escaped(client, films):
    """What was typed is shown back as text, never as HTML."""
    html = client.get(reverse("movies:browse"), {"q": "<script>alert(1)</script>"}).content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;" in html


def test_normalise_removes_case_accents_and_punctuation():
    """Normalising keeps letters and digits only, lowercased and without accents."""
    assert normalise("  Zoë SALDAÑA: Spider-Man!  ") == "zoe saldana spider man"
    assert normalise_query('"Mean Girls" -Zoë spider-man') == '"mean girls" -zoe spider man'


def test_sqlite_scorer_requires_every_word():
    """The fallback scorer matches only when every meaningful word matches somewhere."""
    assert score_text_match("kiera allen", "run", "sarah paulson kiera allen", "hulu") > 0
    assert score_text_match("kiera smith", "run", "sarah paulson kiera allen", "hulu") == 0
    assert score_text_match("the run", "run", "", "") > 0  # "the" is not required
    assert score_text_match("run -paulson", "run", "sarah paulson", "") == 0


def _typos(word, rng):
    """A few misspellings of `word`: a letter dropped, changed, added, or two swapped."""
    spots = range(len(word))
    out = set()
    for _ in range(4):
        i = rng.choice(spots)
        out.add(word[:i] + word[i + 1 :])
        out.add(word[:i] + rng.choice("aeiostrnxz") + word[i + 1 :])
        out.add(word[:i] + rng.choice("aeiostrnxz") + word[i:])
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return [typo for typo in out if typo]


def test_sqlite_word_index_finds_exactly_what_the_scorer_matches(monkeypatch):
    """The word index SQLite searches with gives the same titles as scoring every title
    by plain edit distance, for words, prefixes, one and two typos, several words and
    excluded words; so does the scorer's own shortcut."""
    import random

    from movies import search
    from movies.search import WordIndex, normalise

    rng = random.Random(5)
    names = [
        "Spider-Man: Into the Spider-Verse",
        "The Lion King",
        "Toy Story 3",
        "Run",
        "Running Man",
        "Harry Potter and the Goblet of Fire",
        "Paddington 2",
        "Coco",
        "The Incredibles",
        "Inside Out",
        "Finding Nemo",
        "Brother Bear",
        "Mean Girls",
    ]
    people = [
        "tom hanks tim allen",
        "kiera allen sarah paulson",
        "daniel radcliffe emma watson",
        "ben whishaw hugh grant",
        "anthony gonzalez gael garcia bernal",
        "",
        "holly hunter",
        "amy poehler phyllis smith",
        "albert brooks ellen degeneres",
        "lindsay lohan",
    ]
    rows = [
        (pk, normalise(name), people[pk % len(people)], "pixar" if pk % 3 else "disney")
        for pk, name in enumerate(names, start=1)
    ]
    index = WordIndex(rows)
    vocabulary = sorted({word for row in rows for text in row[1:] for word in text.split()})
    queries = ["a", "the", "-", "toy -pixar", "run", "spider verse", "harry potter fire"]
    for word in vocabulary:
        queries += [word, word[:2], word[:-1]] + _typos(word, rng)
        if len(word) >= 8:  # two typos: one near each end, and any two
            queries += ["x" + word[1:-1] + "z", "x" + word[2:]]
            queries += [twice for once in _typos(word, rng) for twice in _typos(once, rng)]
    queries += [f"{a} {b}" for a, b in zip(vocabulary, reversed(vocabulary), strict=True)]
    queries += ["spidreman", "harry poter", "hnaks", "incredibels", "grnat hugh -disney"]
    found = {query: index.candidates(query) for query in queries}
    shortcut = {
        query: {pk for pk, *copies in rows if score_text_match(query, *copies) > 0}
        for query in queries
    }
    # The reference: every word's edit distance worked out, no shortcut.
    monkeypatch.setattr(search, "_word_may_match", lambda word, pieces: True)
    for query in queries:
        expected = {pk for pk, *copies in rows if score_text_match(query, *copies) > 0}
        assert found[query] == expected, query
        assert shortcut[query] == expected, query
    assert sum(bool(ids) for ids in found.values()) > len(queries) // 2


@pytest.mark.parametrize("query", ["-run", "-0", "-the -a"])
def test_a_query_of_excluded_words_only_is_answered(client, films, query):
    """Only words to leave out: an answer (never an error) without those words."""
    response = client.get(reverse("movies:browse"), {"q": query})
    assert response.status_code == 200
    names = [title.name.lower() for title in response.context["titles"]]
    assert not [name for name in names if "run" in name.split()] or query != "-run"
