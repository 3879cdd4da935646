import csv
import importlib.util
import io
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from movies import importers
from movies.models import Credit, Person, Studio, Tag, Title
from movies.search import search_titles
from tests.factories import make_credit, make_person, make_tag, make_title

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "movies" / "import_examples"
HAS_BOKEH = importlib.util.find_spec("bokeh_sampledata") is not None
MODELS = [Title, Person, Credit, Tag, Studio, Title.tags.through]


def run_import(*args, **options):
    """Run import_titles and return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_titles", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write_csv(path, rows, header=importers.FIELDS):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [row.get(name, "") for name in header] if isinstance(row, dict) else row
            )
    return path


def snapshot():
    """Every row of the catalog tables the import writes, including timestamps."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


def test_csv_example_imports_real_films_with_their_facts():
    """The CSV example creates six films with their facts, credits and genres."""
    out, err = run_import(EXAMPLES / "titles.csv")
    assert "Created 6, updated 0, skipped (unchanged) 0, bad 1." in out
    nemo = Title.objects.for_detail_page().get(source_key="wikidata:Q132863")
    assert (nemo.name, nemo.slug, nemo.year) == ("Finding Nemo", "finding-nemo-2003", 2003)
    assert (nemo.mpaa_rating, nemo.runtime_minutes) == ("G", 100)
    assert nemo.theatrical_release == date(2003, 5, 30)
    assert nemo.studio.name == "Pixar"
    assert [tag.name for tag in nemo.genres] == ["Adventure", "Animation", "Comedy", "Family"]
    assert [c.person.name for c in nemo.directors] == ["Andrew Stanton", "Lee Unkrich"]
    assert [c.person.name for c in nemo.cast][:2] == ["Albert Brooks", "Ellen DeGeneres"]
    assert Title.objects.get(source_key="wikidata:Q15055478").theatrical_release is None


def test_json_example_imports_cast_with_characters():
    """The JSON example gives the cast their characters, in billing order."""
    out, _ = run_import(EXAMPLES / "titles.json")
    assert "Created 6," in out and "bad 1." in out
    toy_story = Title.objects.for_detail_page().get(slug="toy-story-1995")
    assert [(c.person.name, c.character) for c in toy_story.cast][:2] == [
        ("Tom Hanks", "Woody"),
        ("Tim Allen", "Buzz Lightyear"),
    ]


def test_example_files_report_their_deliberately_bad_row():
    """Each example file has one bad row, reported with its line number and reason."""
    _, err = run_import(EXAMPLES / "titles.csv")
    assert err.strip() == "Bad row, line 8: year must be a whole number, not 'soon'"
    _, err = run_import(EXAMPLES / "titles.json")
    assert err.strip() == "Bad row, line 113: year 1492 is outside 1870-2100"


@pytest.mark.parametrize("name", ["titles.csv", "titles.json"])
def test_second_run_changes_nothing(name):
    """Importing the same file twice writes nothing the second time."""
    run_import(EXAMPLES / name)
    before = snapshot()
    out, _ = run_import(EXAMPLES / name)
    assert "Created 0, updated 0, skipped (unchanged) 6, bad 1." in out
    assert "New people 0, genres 0, studios 0." in out
    assert snapshot() == before


def test_second_run_writes_no_rows():
    """A second run only reads: no INSERT or UPDATE reaches the database."""
    run_import(EXAMPLES / "titles.json")
    with CaptureQueriesContext(connection) as queries:
        run_import(EXAMPLES / "titles.json")
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []


def test_bad_rows_are_reported_with_line_numbers_and_the_rest_is_imported(tmp_path):
    """Every bad row is named with its line and reason; the good rows around them load."""
    path = tmp_path / "mixed.csv"
    path.write_text(
        "key,title,year,runtime,release_date,cast\n"
        "k:1,Good One,2001,90,,\n"
        "k:2,,2002,,,\n"
        'k:3,"A title over\ntwo lines",2003,,2003-02-30,\n'
        "k:4,Too Long,2004,1200,,\n"
        "k:5,Short Row,2005\n"
        "\n"
        "k:1,Same Key Again,2006,,,\n"
        "k:7,Good Two,2007,,,Ann Actor|Ben Actor\n"
        ",,,,,\n"
        "k:8,Good Three,1999,,1999-12-31,\n",
        encoding="utf-8",
    )
    out, err = run_import(path)
    assert err.splitlines() == [
        "Bad row, line 3: title is missing",
        "Bad row, line 4: release_date '2003-02-30' is not a date like 2004-04-30",
        "Bad row, line 6: runtime 1200 is outside 1-1000",
        "Bad row, line 7: has 3 values, the header has 6",
        "Bad row, line 9: key 'k:1' was already used on line 2",
    ]
    assert "Created 3, updated 0, skipped (unchanged) 0, bad 5." in out
    assert set(Title.objects.values_list("name", flat=True)) == {
        "Good One",
        "Good Two",
        "Good Three",
    }


def test_bad_json_items_are_reported_with_their_line(tmp_path):
    """A JSON item that is not an object or has wrong values is named by its line."""
    path = tmp_path / "titles.json"
    path.write_text(
        "[\n"
        '  {"key": "j:1", "title": "Fine", "year": 2010, "genres": ["Drama"]},\n'
        '  "just a string",\n'
        '  {"key": "j:3", "title": "Odd", "year": true, "colour": "red",\n'
        '   "genres": [1, 2]}\n'
        "]\n",
        encoding="utf-8",
    )
    out, err = run_import(path)
    assert err.splitlines() == [
        "Bad row, line 3: each title must be a JSON object",
        "Bad row, line 4: unknown field(s) colour; year must be a whole number, not True; "
        "genres must be a list of text",
    ]
    assert "Created 1," in out and "bad 2." in out


def test_people_and_genres_are_never_duplicated(tmp_path):
    """Shared people and genres are reused, including ones already in the catalog."""
    existing_person = make_person("Ann Actor")
    existing_genre = make_tag(Tag.Kind.GENRE, "Drama")
    write_csv(
        tmp_path / "a.csv",
        [
            {
                "key": "a:1",
                "title": "One",
                "year": 2001,
                "genres": "Drama|Sci-Fi",
                "cast": "Ann Actor|Bo Bell",
            },
            {
                "key": "a:2",
                "title": "Two",
                "year": 2002,
                "genres": "Sci Fi|Drama",
                "directors": "Bo Bell",
            },
        ],
    )
    run_import(tmp_path / "a.csv")
    assert Person.objects.filter(name="Ann Actor").get() == existing_person
    assert Person.objects.filter(name="Bo Bell").count() == 1
    assert Tag.objects.filter(kind=Tag.Kind.GENRE, slug="drama").get() == existing_genre
    assert Tag.objects.filter(kind=Tag.Kind.GENRE, slug="sci-fi").count() == 1
    two = Title.objects.get(source_key="a:2")
    assert {tag.slug for tag in two.tags.all()} == {"drama", "sci-fi"}


def test_namesakes_get_distinct_predictable_slugs(tmp_path):
    """Names that slugify alike become separate people with numbered slugs."""
    write_csv(
        tmp_path / "a.csv",
        [{"key": "n:1", "title": "Names", "year": 2000, "cast": "Joe Nunez|Joe Nuñez|MAX|Max"}],
    )
    run_import(tmp_path / "a.csv")
    slugs = dict(Person.objects.values_list("name", "slug"))
    assert slugs == {
        "Joe Nunez": "joe-nunez",
        "Joe Nuñez": "joe-nunez-2",
        "MAX": "max",
        "Max": "max-2",
    }


def test_same_name_and_year_get_distinct_title_slugs(tmp_path):
    """Two different films with one name and year get noise-2007 and noise-2007-2."""
    write_csv(
        tmp_path / "a.csv",
        [
            {"key": "q:1", "title": "Noise", "year": 2007},
            {"key": "q:2", "title": "Noise", "year": 2007},
        ],
    )
    run_import(tmp_path / "a.csv")
    assert dict(Title.objects.values_list("source_key", "slug")) == {
        "q:1": "noise-2007",
        "q:2": "noise-2007-2",
    }


def test_stable_key_updates_a_renamed_title_instead_of_duplicating(tmp_path):
    """A title renamed in the source is updated in place; its address stays."""
    write_csv(tmp_path / "a.csv", [{"key": "s:1", "title": "Working Title", "year": 2010}])
    run_import(tmp_path / "a.csv")
    title = Title.objects.get()
    write_csv(
        tmp_path / "b.csv",
        [{"key": "s:1", "title": "Final Title", "year": 2011, "mpaa_rating": "PG-13"}],
    )
    out, _ = run_import(tmp_path / "b.csv")
    assert "Created 0, updated 1, skipped (unchanged) 0" in out
    renamed = Title.objects.get()
    assert renamed.pk == title.pk and renamed.slug == "working-title-2010"
    assert (renamed.name, renamed.year, renamed.mpaa_rating) == ("Final Title", 2011, "PG-13")
    assert renamed.updated_at > title.updated_at


def test_a_title_made_by_hand_is_adopted_not_copied(tmp_path):
    """A keyless title with the same name and year gets the key instead of a copy."""
    title = make_title(name="Paddington", year=2014, runtime_minutes=95)
    out, _ = run_import(EXAMPLES / "titles.csv")
    assert "Created 5, updated 1," in out
    title.refresh_from_db()
    assert title.source_key == "wikidata:Q15055478"
    assert Title.objects.filter(name="Paddington").count() == 1


def test_empty_values_never_erase_and_existing_credits_are_kept(tmp_path):
    """Blank cells leave our values alone; editors' credits stay, new ones go after them."""
    write_csv(
        tmp_path / "a.csv", [{"key": "e:1", "title": "Kept", "year": 2012, "cast": "Cy Cole"}]
    )
    run_import(tmp_path / "a.csv")
    title = Title.objects.get()
    Title.objects.filter(pk=title.pk).update(runtime_minutes=88, mpaa_rating="PG")
    make_credit(title, person=make_person("Editor Added"), character="Hero", order=5)
    write_csv(
        tmp_path / "b.csv", [{"key": "e:1", "title": "Kept", "year": 2012, "cast": "Dee Dunn"}]
    )
    run_import(tmp_path / "b.csv")
    title.refresh_from_db()
    assert (title.runtime_minutes, title.mpaa_rating) == (88, "PG")
    assert list(title.credits.values_list("person__name", "order")) == [
        ("Cy Cole", 0),
        ("Editor Added", 5),
        ("Dee Dunn", 6),
    ]


def test_fill_only_keeps_our_values_and_fills_blanks(tmp_path):
    """--fill-only keeps what a title has, fills its blanks and adds missing genres."""
    title = make_title(name="Paddington", year=2014, runtime_minutes=96, mpaa_rating="PG")
    run_import(EXAMPLES / "titles.csv", fill_only=True)
    title.refresh_from_db()
    assert (title.runtime_minutes, title.mpaa_rating) == (96, "PG")
    assert title.studio.name == "StudioCanal"
    assert {tag.name for tag in title.tags.all()} == {"Comedy", "Family"}
    out, _ = run_import(EXAMPLES / "titles.csv", fill_only=True)
    assert "skipped (unchanged) 6," in out


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("PG-13", "PG-13"),
        ("pg", "PG"),
        ("GP", "PG"),
        ("M/PG", "PG"),
        ("X", "NC-17"),
        ("Not Rated", "NR"),
        ("UNRATED", "NR"),
        ("APPROVED", "NR"),
        ("TV-14", ""),
        ("N/A", ""),
        ("", ""),
    ],
)
def test_mpaa_ratings_map_onto_our_choices(tmp_path, written, stored):
    """Source ratings map to our MPAA choices; TV ratings and unknowns stay blank."""
    write_csv(
        tmp_path / "a.csv", [{"key": "m:1", "title": "Rated", "year": 1970, "mpaa_rating": written}]
    )
    run_import(tmp_path / "a.csv")
    assert Title.objects.get().mpaa_rating == stored


def test_interrupted_run_resumes_where_it_stopped(tmp_path, monkeypatch):
    """Batches finished before a crash stay; the next run skips them and does the rest."""
    write_csv(
        tmp_path / "a.csv",
        [{"key": f"r:{n}", "title": f"Film {n}", "year": 2000 + n} for n in range(6)],
    )
    real_write, calls = importers.BatchWriter.write, []

    def crash_on_second_batch(writer):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        real_write(writer)

    monkeypatch.setattr(importers.BatchWriter, "write", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        run_import(tmp_path / "a.csv", batch_size=2)
    assert sorted(Title.objects.values_list("source_key", flat=True)) == ["r:0", "r:1"]
    monkeypatch.undo()
    out, _ = run_import(tmp_path / "a.csv", batch_size=2)
    assert "Created 4, updated 0, skipped (unchanged) 2, bad 0." in out
    assert Title.objects.count() == 6


def test_query_count_does_not_grow_with_the_rows(tmp_path):
    """A batch costs the same number of queries for 3 titles as for 30."""

    def queries_for(count, prefix):
        rows = [
            {
                "key": f"{prefix}:{n}",
                "title": f"{prefix} {n}",
                "year": 2000,
                "studio": f"Studio {prefix}{n}",
                "genres": f"Genre {prefix}{n}",
                "cast": f"Actor {prefix}{n}|Actress {prefix}{n}",
            }
            for n in range(count)
        ]
        write_csv(tmp_path / f"{prefix}.csv", rows)
        with CaptureQueriesContext(connection) as queries:
            run_import(tmp_path / f"{prefix}.csv")
        return len(queries)

    assert queries_for(30, "b") == queries_for(3, "a")


def test_imported_titles_are_searchable(tmp_path):
    """Bulk-written titles get their search fields, so the search box finds them."""
    run_import(EXAMPLES / "titles.json")
    found = search_titles(Title.objects.all(), "totoro")
    assert [title.name for title in found] == ["My Neighbor Totoro"]
    assert {t.name for t in search_titles(Title.objects.all(), "tom hanks")} == {"Toy Story"}


def test_dry_run_saves_nothing():
    """--dry-run counts what it would do and rolls it all back."""
    out, _ = run_import(EXAMPLES / "titles.csv", dry_run=True)
    assert out.startswith("Dry run, nothing saved. Created 6,")
    assert not Title.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,year\nX,2000\n", "unknown column(s) name; missing column(s) key, title"),
        ("", "is empty: the first line must name the columns"),
    ],
)
def test_a_csv_with_a_wrong_header_is_refused(tmp_path, content, message):
    """A CSV whose header is wrong stops before importing anything, saying why."""
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(message)):
        run_import(path)
    assert not Title.objects.exists()


def test_broken_json_is_refused_with_its_line(tmp_path):
    """Broken JSON stops before importing anything, naming the line."""
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"key": "b:1", "title": "A", "year": 2000},\n  {"key": \n]\n')
    with pytest.raises(CommandError, match="not valid JSON at line 4"):
        run_import(path)
    assert not Title.objects.exists()


def test_wrong_arguments_are_refused(tmp_path):
    """The command needs a readable .csv/.json file or --source bokeh, not both."""
    with pytest.raises(CommandError, match="either a FILE or --source bokeh"):
        run_import()
    with pytest.raises(CommandError, match="either a FILE or --source bokeh"):
        run_import(EXAMPLES / "titles.csv", source="bokeh")
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="pass --format csv or json"):
        run_import(tmp_path / "titles.txt")


def test_bokeh_without_the_package_says_how_to_install_it(monkeypatch):
    """Without bokeh-sampledata, --source bokeh explains how to install it."""
    monkeypatch.setitem(sys.modules, "bokeh_sampledata.movies_data", None)
    with pytest.raises(CommandError, match="pip install -r requirements-data.txt"):
        run_import(source="bokeh")


@pytest.mark.skipif(not HAS_BOKEH, reason="bokeh-sampledata is optional (requirements-data.txt)")
def test_bokeh_slice_imports_and_reimports_nothing():
    """The first 200 bokeh films import with Wikidata keys; a second run skips them all."""
    out, err = run_import(source="bokeh", limit=200)
    assert "Created 200, updated 0, skipped (unchanged) 0, bad 0." in out and err == ""
    assert Title.objects.count() == 200
    assert not Title.objects.exclude(source_key__regex=r"^wikidata:Q[0-9]+$").exists()
    # Lists split on commas keep "Jr." with its name; January 1 means "year only".
    assert not Person.objects.filter(name__in=["Jr.", "Sr.", "III"]).exists()
    assert not Title.objects.filter(theatrical_release__month=1, theatrical_release__day=1).exists()
    before = snapshot()
    out, _ = run_import(source="bokeh", limit=200)
    assert "Created 0, updated 0, skipped (unchanged) 200, bad 0." in out
    assert snapshot() == before


@pytest.mark.skipif(not HAS_BOKEH, reason="bokeh-sampledata is optional (requirements-data.txt)")
def test_bokeh_rows_map_onto_our_fields():
    """A known bokeh film arrives with its key, facts, studio, genres and people."""
    source = importers.BokehSource()
    row = next(row for row in source if row.key == "wikidata:Q11621")
    assert (row.name, row.year, row.mpaa_rating, row.runtime_minutes) == (
        "E.T. the Extra-Terrestrial",
        1982,
        "PG",
        115,
    )
    assert row.theatrical_release == date(1982, 6, 11)
    assert row.studio == "Amblin Entertainment"
    assert row.directors == ["Steven Spielberg"] and "Drew Barrymore" in dict(row.cast)
    assert row.genres == ["Sci-Fi", "Drama", "Family"]


def test_example_json_is_valid_json():
    """The JSON example parses as plain JSON (seven entries, one of them bad)."""
    assert len(json.loads((EXAMPLES / "titles.json").read_text())) == 7
