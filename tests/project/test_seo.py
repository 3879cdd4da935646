"""Rich previews and search engines: JSON-LD, OpenGraph, canonical URLs, sitemap, robots.txt."""

import datetime
import json
from html.parser import HTMLParser

import pytest

from guidance.ratings.models import ExpertReview
from movies.models import Credit, Tag, Title
from tests.factories import (
    image_upload,
    make_credit,
    make_list,
    make_person,
    make_review,
    make_staff,
    make_studio,
    make_tag,
    make_title,
)

pytestmark = pytest.mark.django_db


class HeadReader(HTMLParser):
    """Collect a page's <meta>, <link rel> and JSON-LD scripts."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, {}, []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta[attrs.get("property") or attrs.get("name")] = attrs["content"]
        elif tag == "link" and "rel" in attrs:
            self.links[attrs["rel"]] = attrs["href"]
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def read_head(response):
    assert response.status_code == 200
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def reviewed_title():
    """A fully described title with a published expert review and a poster."""
    title = make_title(
        name="Harbour Lights",
        year=2019,
        runtime_minutes=95,
        mpaa_rating=Title.MPAA.PG,
        theatrical_release=datetime.date(2019, 6, 14),
        studio=make_studio("Lantern Pictures"),
        poster=image_upload("poster.jpg"),
    )
    title.tags.add(make_tag(Tag.Kind.GENRE, "Drama"), make_tag(Tag.Kind.GENRE, "Family"))
    make_credit(title, Credit.Role.DIRECTOR, person=make_person("Ida Moreau"))
    make_credit(title, Credit.Role.ACTOR, person=make_person("Sam Okafor"), order=1)
    make_credit(title, Credit.Role.ACTOR, person=make_person("Lena Park"), order=2)
    reviewer = make_staff(groups=["Reviewers"], display_name="Maren Holt")
    make_review(title, reviewer=reviewer, stars=4, age_rating=9, summary="A warm lighthouse tale.")
    return title


def movie_json_ld(client, title):
    reader = read_head(client.get(title.get_absolute_url()))
    assert len(reader.json_ld) == 1
    return json.loads(reader.json_ld[0])


def test_title_json_ld_describes_the_movie(client, reviewed_title):
    """The title page's JSON-LD is a schema.org Movie with its facts, people and poster."""
    data = movie_json_ld(client, reviewed_title)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Movie"
    assert data["name"] == "Harbour Lights"
    assert data["url"] == "http://testserver/movies/harbour-lights-2019/"
    assert data["datePublished"] == "2019-06-14"
    assert data["duration"] == "PT1H35M"
    assert data["contentRating"] == "MPAA PG"
    assert data["genre"] == ["Drama", "Family"]
    assert data["director"] == [{"@type": "Person", "name": "Ida Moreau"}]
    assert [actor["name"] for actor in data["actor"]] == ["Sam Okafor", "Lena Park"]
    assert data["productionCompany"] == {"@type": "Organization", "name": "Lantern Pictures"}
    assert data["image"].startswith("http://testserver/media/")
    assert data["image"] == "http://testserver" + Title.objects.get().poster.url
    assert data["typicalAgeRange"] == "9-"


def test_title_json_ld_carries_the_expert_review(client, reviewed_title):
    """Our review is in the JSON-LD: its author, its 1-5 rating and the summary as body."""
    review = movie_json_ld(client, reviewed_title)["review"]
    assert review["@type"] == "Review"
    assert review["author"] == {"@type": "Person", "name": "Maren Holt"}
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["reviewBody"] == "A warm lighthouse tale."
    assert review["datePublished"] == reviewed_title.expert_review.published_at.date().isoformat()


def test_aggregate_rating_appears_only_with_community_reviews(client, reviewed_title):
    """AggregateRating comes from the community figures, and only once there are reviews."""
    assert "aggregateRating" not in movie_json_ld(client, reviewed_title)
    Title.objects.filter(pk=reviewed_title.pk).update(
        community_review_count=3, community_rating=3.6667
    )
    assert movie_json_ld(client, reviewed_title)["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 3.7,
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_json_ld_keeps_a_hostile_title_inside_its_script(client):
    """A title named like a script tag cannot end the JSON-LD element, and reads back intact."""
    name = "</script><script>alert(1)</script> & <!-- friends"
    title = make_title(name=name, year=2021, slug="hostile-2021")
    make_review(title, summary="Watch </script> for <b>this</b> & that.")
    response = client.get(title.get_absolute_url())
    html = response.content.decode()
    start = html.index('<script type="application/ld+json">')
    end = html.index("</script>", start)
    raw = html[start + len('<script type="application/ld+json">') : end]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json.loads(raw)
    assert data["name"] == name
    assert data["review"]["reviewBody"] == "Watch </script> for <b>this</b> & that."
    assert "<script>alert(1)" not in html


def test_draft_review_stays_out_of_json_ld_for_staff(client):
    """Staff see a draft review on the page, but the JSON-LD does not publish it."""
    title = make_title(name="Unfinished", year=2022)
    make_review(title, status=ExpertReview.Status.DRAFT)
    client.force_login(make_staff())
    data = movie_json_ld(client, title)
    assert "review" not in data and "typicalAgeRange" not in data


def test_draft_title_is_not_indexed(client):
    """A draft title, seen by staff, tells search engines not to index it."""
    title = make_title(name="Secret", year=2022, status=Title.Status.DRAFT)
    client.force_login(make_staff())
    assert read_head(client.get(title.get_absolute_url())).meta["robots"] == "noindex"


def test_title_page_has_link_preview_tags(client, reviewed_title):
    """OpenGraph and Twitter tags give the name, the summary and the absolute poster URL."""
    reader = read_head(client.get(reviewed_title.get_absolute_url()))
    poster = "http://testserver" + Title.objects.get().poster.url
    assert reader.meta["description"] == "A warm lighthouse tale."
    assert reader.meta["og:type"] == "video.movie"
    assert reader.meta["og:title"] == "Harbour Lights (2019)"
    assert reader.meta["og:description"] == "A warm lighthouse tale."
    assert reader.meta["og:url"] == "http://testserver/movies/harbour-lights-2019/"
    assert reader.meta["og:image"] == poster
    assert reader.meta["twitter:card"] == "summary_large_image"
    assert reader.meta["twitter:image"] == poster
    assert reader.meta["twitter:description"] == "A warm lighthouse tale."


def test_title_without_poster_or_review_has_a_plain_preview(client):
    """Without a poster or review the preview falls back to a summary card and no image."""
    title = make_title(name="Bare", year=2010)
    reader = read_head(client.get(title.get_absolute_url()))
    assert reader.meta["twitter:card"] == "summary"
    assert "og:image" not in reader.meta
    assert reader.meta["og:description"] == "Bare (2010): what parents need to know."
    data = json.loads(reader.json_ld[0])
    assert "image" not in data and "review" not in data and data["datePublished"] == "2010"


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "http://testserver/"),
        ("/ratings/", "http://testserver/ratings/"),
        ("/movies/?utm_source=mail&sort=name", "http://testserver/movies/"),
        ("/movies/?page=1", "http://testserver/movies/"),
    ],
)
def test_every_page_names_its_canonical_url(client, path, canonical):
    """Pages carry an absolute canonical link without tracking or sort parameters."""
    assert read_head(client.get(path)).links["canonical"] == canonical


def test_canonical_url_keeps_the_page_number(client):
    """The second page of a list is its own page, so its canonical keeps ?page=2."""
    for n in range(30):
        make_title(name=f"Paged {n}", year=2001)
    response = client.get("/movies/?page=2")
    assert read_head(response).links["canonical"] == "http://testserver/movies/?page=2"


def test_title_canonical_drops_the_query_string(client, reviewed_title):
    """A shared link with tracking parameters points back to the plain title address."""
    reader = read_head(client.get(reviewed_title.get_absolute_url() + "?ref=share"))
    assert reader.links["canonical"] == "http://testserver/movies/harbour-lights-2019/"
    assert reader.meta["og:url"] == "http://testserver/movies/harbour-lights-2019/"


def test_not_found_page_has_no_canonical(client):
    """A 404 page does not claim a canonical address."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'rel="canonical"' not in response.content


def test_sitemap_lists_published_titles_lists_and_fixed_pages(client):
    """The sitemap has published titles and lists and the fixed pages, never drafts."""
    published = make_title(name="Shown", year=2015)
    draft = make_title(name="Hidden", year=2015, status=Title.Status.DRAFT)
    make_list([published], slug="rainy-days", name="Rainy days")
    make_list([published], slug="not-ready", name="Not ready", is_published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "<loc>http://testserver/movies/shown-2015/</loc>" in body
    assert "<loc>http://testserver/lists/rainy-days/</loc>" in body
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/movies/</loc>" in body
    assert "<loc>http://testserver/ratings/</loc>" in body
    assert "<loc>http://testserver/newsletter/</loc>" in body
    assert draft.slug not in body
    assert "not-ready" not in body
    assert f"<lastmod>{published.updated_at.date().isoformat()}</lastmod>" in body


def test_sitemap_query_count_does_not_grow(client, django_assert_max_num_queries):
    """The sitemap reads titles and lists in a fixed number of queries."""
    for n in range(20):
        make_title(name=f"Many {n}", year=2003)
    with django_assert_max_num_queries(4):
        assert client.get("/sitemap.xml").status_code == 200


def test_robots_txt_points_to_the_sitemap(client):
    """robots.txt keeps crawlers out of admin and accounts and gives the sitemap address."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
