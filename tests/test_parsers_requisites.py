"""Page requisites read from a page object's tree (issue 16): saved pages, no network."""

from __future__ import annotations

from pathlib import Path

from archive.records import ImageRef, PostRecord
from crawler.parsers import page_for
from crawler.parsers.requisites import Image, css_requisites, page_requisites, requisites_of_html

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://blog.example.org/2024/05/lazy-images.html"


def _post() -> str:
    return (FIXTURES / "requisites" / "post.html").read_text(encoding="utf-8")


def test_the_posts_images_in_document_order_with_their_alt_text() -> None:
    found = page_requisites(page_for(URL, _post()))
    assert found.images == (
        Image("https://cdn.example.com/header.jpg", "A header image"),
        Image("https://cdn.example.com/lazy.jpg", "Lazy one"),
        Image("https://cdn.example.com/lazy2.jpg", "Lazy two"),
        Image("https://blog.example.org/2024/05/images/big.jpg", "Responsive"),
        Image("https://i0.wp.com/x.png?w=600&resize=600,400", "Jetpack"),
        Image("https://blog.example.org/img/p-2.webp", "Picture"),
        Image("https://blog.example.org/img/real.jpg", "Real one"),
    )


def test_fetched_images_add_src_and_placeholders_to_the_best_urls() -> None:
    found = page_requisites(page_for(URL, _post()))
    fetched = set(found.image_urls)
    assert {image.url for image in found.images} <= fetched
    assert fetched - {image.url for image in found.images} == {
        "https://blog.example.org/img/placeholder.gif",
        "https://blog.example.org/2024/05/images/small.jpg",
        "https://i0.wp.com/x.png",
        "https://blog.example.org/img/p.jpg",
        "https://blog.example.org/img/lazy-placeholder.gif",
    }
    # Not the post's: the site logo, the sidebar, comments, avatars; no video; no data: URI.
    for url in fetched:
        assert not url.startswith("data:")
        assert not any(part in url for part in ("logo", "sidebar", "commenter", "gravatar", ".mp4"))


def test_stylesheets_and_favicon_once_each() -> None:
    found = page_requisites(page_for(URL, _post()))
    assert found.stylesheets == (
        "https://blog.example.org/theme/style.css?ver=2",
        "https://fonts.example.net/css?family=Serif",
        "https://blog.example.org/theme/dark.css",
    )
    assert found.icons == ("https://blog.example.org/favicon.png",)
    assert found.urls == list(dict.fromkeys(found.urls))
    assert found.urls[-4:] == [*found.stylesheets, *found.icons]


def test_a_page_that_names_no_icon_gets_the_default_favicon() -> None:
    found = requisites_of_html("http://127.0.0.1:8000/post.html", "<p>No images</p>")
    assert found.images == ()
    assert found.icons == ("http://127.0.0.1:8000/favicon.ico",)
    assert found.urls == ["http://127.0.0.1:8000/favicon.ico"]


def test_noscript_kept_as_text_still_yields_its_image() -> None:
    html = '<p><noscript>&lt;img src="/real.png" alt="R"&gt;</noscript></p>'
    found = requisites_of_html("https://x.example/a/", html)
    assert found.images == (Image("https://x.example/real.png", "R"),)


def test_a_real_wordpress_post_keeps_its_figures_not_its_logo_or_footer() -> None:
    case = FIXTURES / "parsers" / "realworld" / "arsnova_wordpress"
    page = page_for((case / "url.txt").read_text().strip(), (case / "input.html").read_bytes())
    found = page_requisites(page)
    uploads = "https://arsnova.thm.de/blog/wp-content/uploads/"
    assert [image.url for image in found.images] == [
        uploads + "2019/11/frag_jetzt.png",
        uploads + "2020/01/frag_jetzt-scaled.jpg",  # the largest srcset candidate (1814w)
    ]
    assert uploads + "2020/01/frag_jetzt-726x1024.jpg" in found.image_urls  # its src
    assert len(found.stylesheets) == 7
    assert found.icons == ("https://arsnova.thm.de/blog/wp-content/themes/arsnova/favicon.png",)


def test_post_record_images_round_trip_and_leave_the_content_hash_alone() -> None:
    post = PostRecord(url=URL, title="T", body="B")
    with_images = post.replace(images=[ImageRef(url="https://cdn.example.com/a.png", alt="A")])
    data = with_images.to_dict()
    assert data["images"] == [{"url": "https://cdn.example.com/a.png", "alt": "A"}]
    assert PostRecord.from_dict(data) == with_images
    assert PostRecord.from_dict({"url": URL}).images == []
    assert with_images.compute_content_hash() == post.compute_content_hash()


def test_a_stylesheet_names_its_images_and_imports_not_its_fonts() -> None:
    css = """@import url("base.css"); @import 'print.css' print;
    /* url(/commented-out.png) */
    body { background: url(img/bg.png) } .a { background-image: url( '../x.gif' ) }
    @font-face { src: url(f.woff2) format("woff2"), url(f.ttf?v=1) }
    .b { background: url(data:image/png;base64,iVBORw0KGgo=) }
    .c { background: url("https://cdn.example/y.svg#frag") } .d { background: url(img/bg.png) }"""
    images, imports = css_requisites("https://b.example/theme/style.css", css)
    assert images == [
        "https://b.example/theme/img/bg.png",
        "https://b.example/x.gif",
        "https://cdn.example/y.svg",
    ]
    assert imports == ["https://b.example/theme/base.css", "https://b.example/theme/print.css"]
