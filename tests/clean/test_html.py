"""clean_html on small hand-built pages: body kept, furniture listed, scripts nowhere."""

from __future__ import annotations

import dataclasses

import pytest

from storyline.clean.html import MAX_REMOVED_BLOCKS, MAX_REMOVED_CHARS, clean_html
from storyline.errors import EmptyDocument
from storyline.types import Cleaned

PARAGRAPHS = [
    (
        "Dozens of militants have left the Syrian city of Raqqa in recent days as Kurdish-led "
        "forces advance from the north and east, residents and activists said on Thursday."
    ),
    (
        "The fighters, some travelling with their families, crossed the Euphrates river towards "
        "Deir Ezzor province, according to the monitoring group, which tracks the war through a "
        "network of sources on the ground."
    ),
    (
        '"They are moving their commanders and their money first," said a resident who asked not '
        "to be named for fear of reprisals. The claim could not be independently verified."
    ),
    (
        "The offensive, backed by air strikes from the US-led coalition, has cut the main road "
        "linking Raqqa to the provincial capital of Deir Ezzor, the group said in a statement."
    ),
]
TITLE = "Fighters leave Raqqa as offensive nears"
JUNK = [
    "Politics and elections",
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "Ten things you did not know about celebrity diets",
    "Markets rally as oil prices climb again this week",
    "Leave a comment",
    "Post comment",
    "Copyright 2017 Example News. All rights reserved.",
]


def page(
    body: str = "",
    head: str = "",
    *,
    title: str = TITLE,
) -> str:
    return f"<!DOCTYPE html><html lang='en'><head><title>{title} | Example News</title>{head}</head><body>{body}</body></html>"


ARTICLE_PAGE = page(
    head="""
    <meta property="og:site_name" content="Example News">
    <meta property="og:url" content="https://example.com/2016/01/02/fighters-leave-raqqa">
    <link rel="canonical" href="https://example.com/2016/01/02/fighters-leave-raqqa">
    <meta property="article:published_time" content="2017-03-09T08:15:00+00:00">
    <meta name="author" content="Jane Doe">
    <script>document.write("SCRIPTJUNK ticker text in the head");</script>
    <style>body { color: red } .SCRIPTJUNK { }</style>
    """,
    body=f"""
    <header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
      <li><a href="/politics">{JUNK[0]}</a></li></ul></nav></header>
    <div id="cookie-banner" class="cookie-consent">{JUNK[1]} <button>Accept all cookies</button></div>
    <main><article>
      <h1>{TITLE}</h1>
      <p class="byline">By Jane Doe</p>
      <p>{PARAGRAPHS[0]}</p>
      <p>{PARAGRAPHS[1]}</p>
      <script>var w = "SCRIPTJUNK inline widget says hello"; document.write("<p>SCRIPTJUNK written</p>");</script>
      <noscript><p>SCRIPTJUNK enable javascript to read comments</p></noscript>
      <p>{PARAGRAPHS[2]}</p>
      <figure><img src="a.jpg" alt="smoke"><figcaption>Smoke rises over the city after an air strike.</figcaption></figure>
      <p>{PARAGRAPHS[3]}</p>
    </article></main>
    <aside class="sidebar"><h3>Most read</h3><ul>
      <li><a href="/a">{JUNK[2]}</a></li><li><a href="/b">{JUNK[3]}</a></li></ul></aside>
    <section id="comments" class="comments"><h3>{JUNK[4]}</h3>
      <form><label>Name</label><input name="n"><textarea>Write your comment here</textarea>
      <button>{JUNK[5]}</button></form></section>
    <footer><p>{JUNK[6]}</p><p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms</a></p></footer>
    <script>document.body.innerHTML += "<p>SCRIPTJUNK injected paragraph</p>";</script>
    """,
)


@pytest.fixture(scope="module")
def cleaned() -> Cleaned:
    return clean_html(ARTICLE_PAGE.encode("utf-8"), url="https://example.com/2016/01/02/fighters-leave-raqqa")


def test_article_paragraphs_kept_in_order_as_paragraphs(cleaned: Cleaned) -> None:
    assert cleaned.text.split("\n\n") == PARAGRAPHS


def test_title_is_metadata_not_body(cleaned: Cleaned) -> None:
    assert cleaned.title == TITLE
    assert TITLE not in cleaned.text


def test_byline(cleaned: Cleaned) -> None:
    assert cleaned.byline == "Jane Doe"


def test_page_furniture_is_removed_and_listed(cleaned: Cleaned) -> None:
    removed_text = [r.text for r in cleaned.removed]
    for junk in JUNK:
        assert junk not in cleaned.text
        assert any(junk in r for r in removed_text), junk
    furniture = [r for r in cleaned.removed if r.reason == "page_furniture"]
    assert any("cookie" in r.text for r in furniture)
    assert all(r.start is None and r.end is None for r in cleaned.removed)
    assert all(r.text.strip() for r in cleaned.removed)


def test_title_byline_and_caption_removals_say_why(cleaned: Cleaned) -> None:
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons[TITLE] == "title"
    assert reasons["By Jane Doe"] == "byline"
    assert reasons["Smoke rises over the city after an air strike."] == "caption"
    assert cleaned.captions == ["Smoke rises over the city after an air strike."]


def test_script_style_noscript_text_appears_nowhere(cleaned: Cleaned) -> None:
    everything = repr(dataclasses.asdict(cleaned))
    assert "SCRIPTJUNK" not in everything
    assert "document.write" not in everything
    assert "color: red" not in everything


def test_site_name_is_not_a_credit(cleaned: Cleaned) -> None:
    assert cleaned.credit is None
    fields = dataclasses.asdict(cleaned)
    # the footer's copyright line names the site, as page text; the site is the publisher
    for name in ("removed", "outlet", "sources"):
        del fields[name]
    assert "Example News" not in repr(fields)
    assert cleaned.outlet == "Example News"
    assert cleaned.title == TITLE  # "| Example News" cut off


def test_published_from_meta_not_from_url(cleaned: Cleaned) -> None:
    # The URL says 2016-01-02; only the page's metadata counts here.
    assert cleaned.published is not None
    assert cleaned.published.value == "2017-03-09"
    assert cleaned.published.precision == "day"
    assert cleaned.published.source == "metadata"
    assert "article:published_time" in cleaned.published.evidence


def article_body(extra: str = "") -> str:
    return "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + extra + "</article>"


def test_date_only_in_url_is_a_url_date() -> None:
    html = page(
        head='<link rel="canonical" href="https://example.com/2017/03/09/story.html">'
        '<meta property="og:url" content="https://example.com/2017/03/09/story.html">',
        body=article_body(),
    )
    for url in ("https://example.com/2017/03/09/story.html", None):  # given, or the page's own canonical link
        published = clean_html(html, url=url).published
        assert published is not None
        assert (published.value, published.source) == ("2017-03-09", "url")


def test_date_from_json_ld() -> None:
    html = page(
        head='<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2016-10-05T10:00:00Z", "headline": "x"}</script>',
        body=article_body(),
    )
    published = clean_html(html).published
    assert published is not None and published.value == "2016-10-05"
    assert "datePublished" in published.evidence


def test_date_from_time_element() -> None:
    html = page(body=f'<time datetime="2017-02-28T09:00:00Z" pubdate>28 February 2017</time>{article_body()}')
    published = clean_html(html).published
    assert published is not None and published.value == "2017-02-28"
    assert "<time" in published.evidence


def test_modified_time_is_not_published() -> None:
    html = page(
        head='<meta property="article:modified_time" content="2017-04-01T00:00:00Z">', body=article_body()
    )
    assert clean_html(html).published is None


def test_source_meta_naming_another_outlet_is_a_credit() -> None:
    html = page(
        head='<meta property="og:site_name" content="Example News"><meta name="dc.source" content="ARA News">',
        body=article_body(),
    )
    assert clean_html(html).credit == "ARA News"


def test_str_and_bytes_give_the_same_result() -> None:
    assert clean_html(ARTICLE_PAGE) == clean_html(ARTICLE_PAGE.encode("utf-8"))


def test_fragment_without_html_element() -> None:
    cleaned = clean_html("".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    assert cleaned.text.split("\n\n") == PARAGRAPHS


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(ARTICLE_PAGE[: len(ARTICLE_PAGE) // 2], id="truncated"),
        pytest.param(
            ARTICLE_PAGE.replace("</p>", "").replace("</div>", "</div></div></span>"), id="unbalanced"
        ),
        pytest.param(
            page(body=f'<div data-x="{"A" * 2_000_000}">{article_body()}</div>'), id="huge-attribute"
        ),
        pytest.param(page(body="<div>" * 5000 + article_body() + "</div>" * 5000), id="deep-nesting"),
        pytest.param(page(body=article_body() + "<script>" + "while(1){}" * 10000), id="unterminated-script"),
        pytest.param("<<<>>><p>" + PARAGRAPHS[0] + "<<p<p>></" + PARAGRAPHS[1], id="tag-soup"),
        pytest.param(b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>" + PARAGRAPHS[0].encode(), id="bad-bytes"),
    ],
)
def test_malformed_html_gives_text_or_empty_document(html: str | bytes) -> None:
    try:
        cleaned = clean_html(html)
    except EmptyDocument:
        return
    assert cleaned.text.strip()
    assert "SCRIPTJUNK" not in cleaned.text


def test_truncated_page_keeps_what_arrived() -> None:
    cut = ARTICLE_PAGE.index(PARAGRAPHS[2][:40])
    cleaned = clean_html(ARTICLE_PAGE[:cut])
    assert PARAGRAPHS[0] in cleaned.text
    assert PARAGRAPHS[3] not in cleaned.text


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty-str"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param("   \n\t ", id="whitespace"),
        pytest.param(page(), id="empty-body"),
        pytest.param(page(body="<div> </div><p>\n</p>"), id="whitespace-body"),
        pytest.param(b"\x00\x01\x02\x03" * 100, id="binary"),
    ],
)
def test_empty_page_raises_empty_document(html: str | bytes) -> None:
    with pytest.raises(EmptyDocument) as info:
        clean_html(html)
    assert info.value.code == "E106"
    assert info.value.path == "<html>"


def test_text_only_in_scripts_raises_empty_document() -> None:
    script = "document.write('" + " ".join(PARAGRAPHS).replace("'", "") + "');"
    html = page(title="", body=f"<script>{script}</script><noscript></noscript><style>p {{ }}</style>")
    with pytest.raises(EmptyDocument):
        clean_html(html)


def test_removed_is_capped() -> None:
    menu = "".join(
        f"<li><a href='/{i}'>Menu entry number {i} " + "x" * 800 + "</a></li>" for i in range(1000)
    )
    cleaned = clean_html(page(body=f"<nav><ul>{menu}</ul></nav>{article_body()}"))
    assert len(cleaned.removed) <= MAX_REMOVED_BLOCKS
    assert all(len(r.text) <= MAX_REMOVED_CHARS for r in cleaned.removed)


# --- publication dates the page shows (issue 11) -----------------------------------------
# Each case failed before issue 11: storyline read only meta tags, JSON-LD and every <time>.


def dated_page(header: str, *, lang: str = "en", head: str = "", before: str = "", after: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><title>{TITLE}</title>{head}</head><body>{before}"
        f"<article><h1>{TITLE}</h1>{header}" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"</article>{after}</body></html>"
    )


@pytest.mark.parametrize(
    ("header", "lang", "day"),
    [
        # lines quoted in issue 11 (a CNSNews and a WorldTribune article header)
        ('<div class="byline">By Susan Jones | August 17, 2016 | 10:57 AM EDT</div>', "en", "2016-08-17"),
        ('<p class="author">by WorldTribune Staff, August 31, 2017</p>', "en", "2017-08-31"),
        # http://www.republicoftogo.com//Toutes-les-rubriques/Sport/Le-championnat-d-Afrique-des-Nations-n-aura-pas-lieu
        ('<div class="full-view-head"><span class="date">\n 17/03/2020\n </span></div>', "fr", "2020-03-17"),
        # http://m.daejonilbo.com/mnews.asp?pk_no=1412361 (byline: reporter | time stamp)
        ("<div><span>이용민 기자 | </span>\n 2020-03-04 16:52:59 </div>", "ko", "2020-03-04"),
        ('<span class="meta__date">12 июля 2020</span>', "ru", "2020-07-12"),
    ],
)
def test_date_in_the_article_header_or_byline(header: str, lang: str, day: str) -> None:
    published = clean_html(dated_page(header, lang=lang)).published
    assert published is not None
    assert (published.value, published.source) == (day, "text")
    assert published.evidence.startswith("page header")


def test_updated_line_in_the_header_is_not_the_publication_date() -> None:
    header = '<p>Updated: March 20, 2020</p><p class="byline">By Jane Doe, March 17, 2020</p>'
    published = clean_html(dated_page(header)).published
    assert published is not None and published.value == "2020-03-17"


def test_time_in_a_sidebar_list_is_not_the_articles() -> None:
    sidebar = (
        '<aside class="most-read"><h3>Most read</h3><ul>'
        '<li><a href="/a">Markets rally again</a> <time datetime="2020-03-20T08:00:00+01:00">20 March</time></li>'
        "</ul></aside>"
    )
    header = '<time class="entry-date" datetime="2020-03-17T09:30:00+01:00">17 March 2020</time>'
    published = clean_html(dated_page(header, before=sidebar)).published
    assert published is not None and published.value == "2020-03-17"
    # without the article's own <time>, the sidebar's is still not taken
    published = clean_html(dated_page("", before=sidebar)).published
    assert published is None or published.value != "2020-03-20"


def test_time_in_an_embedded_post_is_not_the_articles() -> None:
    # Instagram's embed code carries a <time>; the article's own date is in its byline
    embed = (
        '<blockquote class="instagram-media" data-instgrm-version="12"><p>A post shared by Example</p>'
        '<p><time style="font-family:Arial" datetime="2020-07-10T15:30:00+00:00">Jul 10, 2020 at 8:30am PDT</time>'
        "</p></blockquote>"
    )
    html = dated_page('<p class="byline">By Jane Doe | July 15, 2020</p>', after="").replace(
        f"<p>{PARAGRAPHS[1]}</p>", f"<p>{PARAGRAPHS[1]}</p>{embed}"
    )
    published = clean_html(html).published
    assert published is not None and published.value == "2020-07-15"


def test_utc_timestamp_yields_to_the_local_day_in_the_url() -> None:
    # issue 11: a UTC timestamp one day after the outlet's local day in its URL
    head = '<meta property="article:published_time" content="2023-11-09T01:49:09Z">'
    url = "https://example.com/2023/11/08/council-votes-on-budget/"
    published = clean_html(dated_page("", head=head), url=url).published
    assert published is not None
    assert (published.value, published.source) == ("2023-11-08", "url")
    # a timestamp with the outlet's own offset is the local day already: it stays
    head = '<meta property="article:published_time" content="2023-11-09T01:49:09+02:00">'
    published = clean_html(dated_page("", head=head), url=url).published
    assert published is not None and (published.value, published.source) == ("2023-11-09", "metadata")


def test_utc_timestamp_yields_to_the_day_the_header_shows() -> None:
    head = '<meta property="article:published_time" content="2020-05-02T02:54:29.000Z">'
    published = clean_html(dated_page('<p class="byline">By Jane Doe, May 1, 2020</p>', head=head)).published
    assert published is not None and published.value == "2020-05-01"


def test_date_in_the_title() -> None:
    html = dated_page("").replace(f"<title>{TITLE}</title>", "<title>Daily briefing, 9 March 2017</title>")
    published = clean_html(html).published
    assert published is not None and (published.value, published.evidence) == ("2017-03-09", "title: Daily briefing, 9 March 2017")


def test_published_line_in_the_text() -> None:
    html = dated_page("").replace("</article>", "<p>Published: 12 March 2020</p></article>")
    published = clean_html(html).published
    assert published is not None and published.value == "2020-03-12"


def test_date_in_a_caption_or_related_list_is_never_taken() -> None:
    header = '<figure><img src="x.jpg"><figcaption>Smoke over the city on March 3, 2019.</figcaption></figure>'
    related = '<div class="related-posts"><a href="/b">Earlier: talks collapse</a> <span>March 1, 2019</span></div>'
    published = clean_html(dated_page(header, after=related)).published
    assert published is None


def test_dated_dateline_opening_the_text() -> None:
    html = dated_page("").replace(
        f"<p>{PARAGRAPHS[0]}</p>", f"<p>BEIRUT (Reuters), March 9, 2017 - {PARAGRAPHS[0]}</p>"
    )
    published = clean_html(html).published
    assert published is not None and published.value == "2017-03-09"
    assert published.evidence.startswith("dated opening: BEIRUT (Reuters), March 9, 2017")


# https://www.vox.com/science-and-health/2019/11/8/20948348/delhi-india-air-pollution-quality-cause (verbatim)
VOX_BYLINE = """<p class="c-entry-summary p-dek">A policy to conserve water led to the rise of a major source of air
pollution, making breathing Delhi’s air as bad as smoking 50 cigarettes. </p> <div class="c-byline"> <span
class="c-byline-wrapper"> By <span class="c-byline__item"> <a href="https://www.vox.com/authors/umair-irfan"
data-analytics-link="author-name"><span class="c-byline__author-name">Umair Irfan</span></a> </span> <span
class="c-byline__item"> Updated <time class="c-byline__item" data-ui="timestamp" datetime="2019-11-13T15:28:18">
Nov 13, 2019, 10:28am EST </time> </span> </span></div>"""


def test_updated_time_in_the_byline_is_not_the_publication_date() -> None:
    url = "https://www.vox.com/science-and-health/2019/11/8/20948348/delhi-india-air-pollution-quality-cause"
    published = clean_html(dated_page(VOX_BYLINE), url=url).published
    assert published is not None and (published.value, published.source) == ("2019-11-08", "url")
    assert clean_html(dated_page(VOX_BYLINE)).published is None


def test_zoneless_timestamp_yields_to_the_local_day_in_the_url() -> None:
    # https://www.latimes.com/entertainment-arts/business/story/2019-11-19/disney-plus-kevin-mayer (meta verbatim)
    head = '<meta property="article:published_time" content="2019-11-20T01:50:59.403"/>'
    url = "https://www.latimes.com/entertainment-arts/business/story/2019-11-19/disney-plus-kevin-mayer"
    published = clean_html(dated_page("", head=head), url=url).published
    assert published is not None and (published.value, published.source) == ("2019-11-19", "url")
