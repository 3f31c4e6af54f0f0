"""Deterministic demo blogs: a generated Blogger blog, a generated WordPress blog, the sample blog.

Every generator uses only a seeded ``random.Random``: the same arguments give byte-identical
resources (for the same base URL) and identical truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from archive.records import Rating
from tests.sites.blogger import BloggerConfig, BloggerSite
from tests.sites.model import (
    Blog,
    Comment,
    Post,
    image_resources,
    para,
    slugify,
    truth_record,
)
from tests.sites.sample import ABOUT, POSTS, SamplePost
from tests.sites.textgen import COMMENT_TEXTS, COMMENTERS, TextGen, Topic
from tests.sites.wordpress import WordPressConfig, WordPressSite

BLOGGER_AUTHORS = ("Hosne", "Carlos Correia", "Ricardo Azevedo", "Mei Tanaka")
SORA_AUTHORS = ("Carlos Correia", "Ricardo Azevedo")
BLOGGER_SHAPES = {
    "classic": 3,
    "ratingpanel": 1,
    "techpro": 2,
    "sora": 2,
    "review-b1": 1,
    "review-b2": 1,
    "review-b3": 1,
}
EXTRA_LABELS = ("Tips", "How-to", "News", "Open Source", "Reviews")
WP_AUTHORS = ("Jane Roe", "Xiao Guoan (Admin)", "Priya Natarajan", "Marcus Lindqvist")
WP_SHAPES = {
    "underscores": 4,
    "avatar": 2,
    "yoast-yasr": 2,
    "wp-review-star": 1,
    "wp-review-point": 1,
    "kk": 2,
}
WP_EXTRA_CATEGORIES = ("Tutorials", "Reviews", "Opinion")


def _shapes(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    """``n`` shapes: every shape at least once (when n allows), the rest by weight, shuffled."""
    names = list(weights)
    picked = names[:n] + rng.choices(
        names, weights=list(weights.values()), k=max(0, n - len(names))
    )
    rng.shuffle(picked)
    return picked


def _unique(candidate: str, taken: set[str], pattern: str) -> str:
    """``candidate``, or ``pattern`` with ``{k}`` = 2, 3, ... until unused; marks it taken."""
    value, k = candidate, 1
    while value in taken:
        k += 1
        value = pattern.replace("{k}", str(k))
    taken.add(value)
    return value


def _comments(
    rng: random.Random, start: datetime, authors: tuple[str, ...], fmt: Callable[[datetime], str]
) -> tuple[Comment, ...]:
    out = []
    when = start
    for _ in range(rng.choice((0, 0, 1, 2, 3, 4))):
        when += timedelta(hours=rng.randint(1, 40), minutes=rng.randint(0, 59))
        pool = COMMENTERS + authors if rng.random() < 0.3 else COMMENTERS
        out.append(Comment(rng.choice(pool), rng.choice(COMMENT_TEXTS), fmt(when)))
    return tuple(out)


def _title(tg: TextGen, topic: Topic, review: bool, taken: set[str]) -> str:
    for _ in range(50):
        title = tg.title(topic, review)
        if title not in taken:
            taken.add(title)
            return title
    raise RuntimeError("vocabulary too small for unique titles")


# -- Blogger ---------------------------------------------------------------------------------


def _blogger_rating(rng: random.Random, shape: str) -> Rating | None:
    if shape == "review-b1":
        value = float(rng.choice((3, 4, 5)))
        return Rating(value=value, best=5, worst=1, kind="review", source="microdata")
    if shape == "review-b2":
        value = rng.choice((3.5, 4.0, 4.5))
        return Rating(value=value, best=5, worst=1, kind="review", source="hreview")
    return None


def _blogger_extra(rng: random.Random, shape: str) -> dict[str, str]:
    extra: dict[str, str] = {}
    if rng.random() < 0.2:
        extra["para"] = "div"
    if rng.random() < 0.25:
        extra["ads"] = "1"
    if rng.random() < 0.3:
        extra["itemprop"] = "articleBody"
    if shape in ("review-b1", "review-b3") and rng.random() < 0.5:
        extra["bare_author"] = "1"
    if shape == "review-b1" and rng.random() < 0.3:
        extra["hidden_review"] = "1"
    return extra


def blogger_blog(posts: int = 120, seed: int = 1) -> Blog:
    """A generated Blogger-style tech blog with ``posts`` posts of mixed page shapes."""
    rng = random.Random(seed)
    tg = TextGen(rng)
    tz = timezone(timedelta(hours=-7))
    when = datetime(2016, 1, 4, 9, 0, tzinfo=tz)
    titles: set[str] = set()
    paths: set[str] = set()
    made: list[Post] = []
    for shape in _shapes(rng, BLOGGER_SHAPES, posts):
        when = (when + timedelta(days=rng.randint(1, 6))).replace(
            hour=rng.randint(6, 22), minute=rng.randint(0, 59)
        )
        topic = tg.topic()
        review = shape.startswith("review")
        title = _title(tg, topic, review, titles)
        author = rng.choice(SORA_AUTHORS if shape == "sora" else BLOGGER_AUTHORS)
        labels = [topic.label, *rng.sample(EXTRA_LABELS, rng.randint(0, 2))]
        if review and "Reviews" not in labels:
            labels.append("Reviews")
        if shape == "sora":
            labels.append(author)
        stem = f"/{when:%Y}/{when:%m}/{slugify(title, 40)}"
        path = _unique(stem + ".html", paths, stem + "_{k}.html")
        internal = rng.choice(made).path if made and rng.random() < 0.3 else None
        made.append(
            Post(
                path=path,
                title=title,
                authors=(author,),
                published=when.isoformat(),
                modified=(when + timedelta(hours=rng.randint(1, 500))).isoformat(),
                updated=None,
                tags=tuple(dict.fromkeys(labels)),
                blocks=tg.body(topic, internal),
                rating=_blogger_rating(rng, shape),
                shape=shape,
                post_id=str(rng.randrange(10**18, 10**19)),
                comments=_comments(rng, when, BLOGGER_AUTHORS, lambda d: d.isoformat()),
                extra=_blogger_extra(rng, shape),
            )
        )
    config = BloggerConfig(
        name="Circuit & Code",
        tagline="Gadgets, Linux and code, tested at home.",
        blog_id=str(rng.randrange(10**18, 10**19)),
        profiles={a: str(rng.randrange(10**19, 10**20)) for a in BLOGGER_AUTHORS},
        about=(para("Circuit & Code is a group blog about the tech we use every day."),),
    )
    return _blog("blogger", "blogger", BloggerSite(config, made), made, config.language)


def _blog(
    name: str, platform: str, site: BloggerSite | WordPressSite, posts: list[Post], lang: str
) -> Blog:
    ordered = site.posts
    truth = [truth_record(p, platform=platform, language=lang) for p in ordered]
    assert len(posts) == len(ordered)
    images = image_resources(ordered)
    return Blog(
        name=name,
        platform=platform,
        build=lambda base: {**site.build(base), **images},
        truth=truth,
        non_posts=site.non_posts(),
        shapes={p.path: p.shape for p in ordered},
    )


# -- WordPress -------------------------------------------------------------------------------


def _wp_rating(rng: random.Random, shape: str) -> Rating | None:
    if shape == "yoast-yasr":
        value = round(rng.uniform(3.5, 5.0), 1)
        return Rating(
            value=value, best=5, worst=0, count=rng.randint(3, 250), kind="aggregate", source="yasr"
        )
    if shape == "kk":
        value = round(rng.uniform(3.0, 5.0), 1)
        return Rating(
            value=value,
            best=5,
            worst=1,
            count=rng.randint(2, 80),
            kind="aggregate",
            source="jsonld",
        )
    if shape == "wp-review-star":
        value = rng.choice((3.5, 4.0, 4.5, 5.0))
        return Rating(value=value, best=5, worst=0, kind="review", source="jsonld")
    if shape == "wp-review-point":
        value = rng.choice((7.5, 8.0, 8.5, 9.0))
        return Rating(value=value, best=10, worst=0, kind="review", source="jsonld")
    return None


def _wp_terms(rng: random.Random, topic: Topic, shape: str) -> tuple[list[str], list[str]]:
    cats = [topic.label]
    if shape.startswith("wp-review"):
        cats.append("Reviews")
    elif rng.random() < 0.3:
        cats.append(rng.choice(WP_EXTRA_CATEGORIES))
    pool = [p.lower() for p in topic.products]
    tags = rng.sample(pool, rng.randint(0, min(3, len(pool))))
    return list(dict.fromkeys(cats)), tags


def wordpress_blog(posts: int = 120, seed: int = 2) -> Blog:
    """A generated WordPress-style tech blog with ``posts`` posts of mixed page shapes."""
    rng = random.Random(seed)
    tg = TextGen(rng)
    when = datetime(2018, 2, 1, 8, 0, tzinfo=UTC)
    titles: set[str] = set()
    paths: set[str] = set()
    post_id = 40
    made: list[Post] = []
    for shape in _shapes(rng, WP_SHAPES, posts):
        when = (when + timedelta(days=rng.randint(1, 5))).replace(
            hour=rng.randint(5, 21), minute=rng.randint(0, 59), second=rng.randint(0, 59)
        )
        post_id += rng.randint(2, 30)
        topic = tg.topic()
        title = _title(tg, topic, shape.startswith("wp-review"), titles)
        author = (
            "Xiao Guoan (Admin)"
            if shape == "yoast-yasr" and rng.random() < 0.6
            else rng.choice(WP_AUTHORS)
        )
        cats, tags = _wp_terms(rng, topic, shape)
        stem = f"/{when:%Y}/{when:%m}/{when:%d}/{slugify(title)}"
        path = _unique(stem + "/", paths, stem + "-{k}/")
        updated = when + timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23))
        extra = {"ncats": str(len(cats))}
        if rng.random() < 0.3 and shape != "yoast-yasr":
            extra["share"] = "1"
        if shape.startswith("wp-review"):
            extra["review_item"] = rng.choice(topic.products)
            extra["review_author"] = "Guest Editor" if rng.random() < 0.5 else author
        internal = rng.choice(made).path if made and rng.random() < 0.3 else None
        made.append(
            Post(
                path=path,
                title=title,
                authors=(author,),
                published=when.isoformat(),
                modified=updated.isoformat(),
                updated=updated.isoformat(),
                tags=tuple(cats + tags),
                blocks=tg.body(topic, internal),
                rating=_wp_rating(rng, shape),
                shape=shape,
                post_id=str(post_id),
                comments=_comments(rng, when, (*WP_AUTHORS, author), lambda d: d.isoformat()),
                extra=extra,
            )
        )
    config = WordPressConfig(
        name="Stack Lantern",
        tagline="Linux, servers and the hardware under them",
        about=(para("Stack Lantern publishes hands-on tutorials and reviews since 2018."),),
    )
    return _blog("wordpress", "wordpress", WordPressSite(config, made), made, config.language)


# -- the bundled sample blog -------------------------------------------------------------------


def _sample_post(rng: random.Random, sample: SamplePost, taken: set[str]) -> Post:
    when = datetime.fromisoformat(sample.published)
    slug = sample.slug or slugify(sample.title, 40)
    stem = f"/{when:%Y}/{when:%m}/{slug}"
    path = _unique(stem + ".html", taken, stem + "_{k}.html")
    tags = sample.labels + ((sample.author,) if sample.shape == "sora" else ())
    return Post(
        path=path,
        title=sample.title,
        authors=(sample.author,),
        published=sample.published,
        modified=(when + timedelta(hours=rng.randint(2, 72))).isoformat(),
        updated=None,
        tags=tags,
        blocks=sample.blocks,
        rating=sample.rating,
        shape=sample.shape,
        post_id=str(rng.randrange(10**18, 10**19)),
        comments=sample.comments,
        extra=dict(sample.extra),
    )


def demo_blog() -> Blog:
    """The bundled sample blog: 12 hand-written Blogger-style tech posts (see ``sample.py``)."""
    rng = random.Random(7)
    taken: set[str] = set()
    made = [_sample_post(rng, s, taken) for s in POSTS]
    authors = ("Hosne", "Mei Tanaka", "Carlos Correia", "Daniel Okafor")
    config = BloggerConfig(
        name="Byte Sized Tech",
        tagline="Phones, Linux and code in small bites.",
        blog_id=str(rng.randrange(10**18, 10**19)),
        profiles={a: str(rng.randrange(10**19, 10**20)) for a in authors},
        about=ABOUT,
        per_page=5,
    )
    return _blog("demo", "blogger", BloggerSite(config, made), made, config.language)


BLOGS: dict[str, Callable[..., Blog]] = {
    "demo": demo_blog,
    "blogger": blogger_blog,
    "wordpress": wordpress_blog,
}


def get_blog(name: str, posts: int | None = None, seed: int | None = None) -> Blog:
    """A blog by name (``demo``, ``blogger``, ``wordpress``); ``posts``/``seed`` for generated ones."""
    if name == "demo":
        return demo_blog()
    if name not in BLOGS:
        raise ValueError(f"unknown demo blog {name!r}; choose from {', '.join(BLOGS)}")
    kwargs: dict[str, int] = {}
    if posts is not None:
        kwargs["posts"] = posts
    if seed is not None:
        kwargs["seed"] = seed
    return BLOGS[name](**kwargs)
