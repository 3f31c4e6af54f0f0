"""The bundled sample blog for ``blogarchive demo``: 12 hand-written Blogger-style tech posts.

The seed post ("Why Xiaomi does not sell its smartphones in France and the US?", by Hosne)
reproduces the real post in ``shared/research/seed-post.txt``. Its body carries each paragraph
once inside ``div.post-body``; the paragraphs that the naive scrape shows twice (2–4) are also
in a hidden ``div.post-snippet`` *outside* the body, so a page-wide text scrape sees the
duplication and a body-selecting parser does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.records import Rating
from tests.sites.model import Block, Comment, bullets, code, heading, image, para, quoted


@dataclass(frozen=True)
class SamplePost:
    """One hand-written post: everything but its path and ids."""

    title: str
    author: str
    published: str
    labels: tuple[str, ...]
    shape: str
    blocks: tuple[Block, ...]
    rating: Rating | None = None
    comments: tuple[Comment, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    slug: str = ""


def _review(value: float, source: str) -> Rating:
    return Rating(value=value, best=5, worst=1, count=None, kind="review", source=source)


XIAOMI_P2 = (
    "But for now, the Chinese manufacturer officially sells (it is always possible to import) "
    "its mobile in China and some emerging countries, mainly in Asia."
)
XIAOMI_P3 = (
    "In the US and Western markets such as France, there still testing the waters with "
    "accessories products like mobile chargers, headsets or Mid Band (one of wearable that sell "
    "best), but not smartphones ."
)
XIAOMI_P4 = (
    "One might say that the manufacturer has especially fear of patent issues. But at the level "
    "of the company, we have always reiterated that the choice of countries in which it enters is "
    "based on compatibility with its business model and not to avoid trials (eg Xiaomi has already "
    "been accused of theft by Apple)."
)

SEED = SamplePost(
    title="Why Xiaomi does not sell its smartphones in France and the US?",
    author="Hosne",
    published="2019-03-02T11:53:00+06:00",
    labels=("Xiaomi", "Smartphones", "Business"),
    shape="review-b1",
    slug="why-xiaomi-does-not-sell-its-smartphones",
    rating=_review(5, "microdata"),
    extra={"dup_snippet": "1:4"},
    comments=(
        Comment(
            "Rahul Verma",
            "The Mi A1 was sold in Europe though, so things are changing.",
            "2019-03-02T18:20:00+06:00",
        ),
        Comment(
            "Mei Tanaka",
            "Carrier subsidies explain a lot of it. Good summary!",
            "2019-03-03T09:05:00+06:00",
        ),
    ),
    blocks=(
        para(
            "Xiaomi's business model would prevent yet to enter the United States. In recent years, "
            "Xiaomi has managed to make a name and a place in the arena of smartphones. In 2014, the "
            "latter had even positioned as the third largest seller of mobile phones in the world."
        ),
        para(XIAOMI_P2),
        para(XIAOMI_P3),
        para(XIAOMI_P4),
        heading("The low-cost less interested when entitled to subsidies", 3),
        para(
            "During a recent interview with the website Re / Code Huggo Barra, international vice "
            "president of Xiaomi, said the United States (as in France), consumers are less sensitive "
            "to price because they generally buy subsidized mobile which can cost (short-term) the "
            "same, or less, than a mobile Xiaomi naked."
        ),
        para(
            'Xiaomi is known, as of OnePlus for its "flagship killer" high-end well-made, with '
            "interesting features but the prices are relatively lower. They are sold on the internet "
            "by the builder, sometimes during flash sales. These smartphones are very attractive in "
            "emerging markets where consumers often buy mobile bare and subscribe to prepaid offers, "
            "but are slightly less in Western countries."
        ),
        para(
            "However, Xiaomi is interested anyway in these countries, but sees long term. Otherwise, "
            "it will not tâterait the field with his accessories."
        ),
        para(
            "But before entering the US, Western country that seems to be the priority of the "
            "start-up, it must first get used to better know and especially setting up a customer "
            "service worthy of the name, something for which it does not intend to shake, although "
            "the machine already appears in working order."
        ),
    ),
)

POSTS: tuple[SamplePost, ...] = (
    SamplePost(
        title="Shrinking a Docker image from 900 MB to 40 MB",
        author="Mei Tanaka",
        published="2019-06-18T20:41:00+06:00",
        labels=("Docker", "DevOps"),
        shape="classic",
        extra={"ads": "1"},
        blocks=(
            para(
                "Our build image had grown to **912 MB**. Pulls took a minute on the CI runners and "
                "the registry bill kept climbing, so I spent an evening cutting it down."
            ),
            heading("Step one: a multi-stage build"),
            para(
                "The compiler, headers and test tools are only needed while building. A second stage "
                "that copies just the binary leaves all of that behind."
            ),
            code(
                "FROM golang:1.12 AS build\n"
                "WORKDIR /src\n"
                "COPY . .\n"
                "RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n"
                "FROM alpine:3.9\n"
                "COPY --from=build /out/app /usr/local/bin/app\n"
                'ENTRYPOINT ["app"]'
            ),
            para(
                "With a static binary on Alpine the image dropped to 41 MB. A `.dockerignore` that "
                "excludes `.git` and the test fixtures trimmed the build context as well."
            ),
            bullets(
                "Use multi-stage builds for anything compiled",
                "Pin the base image tag instead of using latest",
                "Run dive to see which layer is fat",
            ),
        ),
    ),
    SamplePost(
        title="Wi-Fi 6 mesh routers: is it time to upgrade?",
        author="Carlos Correia",
        published="2019-06-02T09:15:00+06:00",
        labels=("Networking", "Gadgets"),
        shape="sora",
        comments=(
            Comment(
                "Ricardo Azevedo",
                "My old AC mesh still covers the whole flat, so I'll wait.",
                "2019-06-02T13:40:00+06:00",
            ),
        ),
        blocks=(
            para(
                "Wi-Fi 6 (802.11ax) routers are finally affordable, and mesh kits with three nodes "
                "now cost less than a mid-range phone. But do you need one?"
            ),
            para(
                "The big win is not peak speed but efficiency: OFDMA lets the router talk to many "
                "devices at once, which matters in a house full of phones, TVs and smart plugs."
            ),
            para(
                "If your laptop and phone are still Wi-Fi 5, you will see little difference today. "
                "A wired backhaul between mesh nodes helps more than any new radio."
            ),
            quoted("Buy for the devices you will own in three years, not the ones you own today."),
        ),
    ),
    SamplePost(
        title="Keychron K2 mechanical keyboard review",
        author="Daniel Okafor",
        published="2019-05-21T16:02:00+06:00",
        labels=("Reviews", "Peripherals"),
        shape="review-b3",
        blocks=(
            para(
                "The Keychron K2 is a compact 75% wireless mechanical keyboard that works with both "
                "macOS and Windows. I used the Gateron Brown version for a month of daily typing."
            ),
            image(
                "/img/b/demo/k2/s1600/keychron-k2.png",
                "Keychron K2 on a desk",
            ),
            para(
                "Bluetooth pairing with three devices is quick, and battery life is about two weeks "
                "with the backlight off. The high profile takes getting used to, so a wrist rest helps."
            ),
            bullets(
                "Pros: layout, battery life, Mac keycaps in the box",
                "Cons: tall case, no software for remapping",
            ),
        ),
    ),
    SamplePost(
        title="Redmi Note 7 review: a budget phone that punches above its weight",
        author="Hosne",
        published="2019-05-04T10:30:00+06:00",
        labels=("Reviews", "Smartphones"),
        shape="review-b2",
        rating=_review(4.5, "hreview"),
        comments=(
            Comment(
                "Aiko",
                "How is the night mode compared to the Pixel 3a?",
                "2019-05-05T07:12:00+06:00",
            ),
            Comment(
                "Hosne",
                "Not as clean, but usable. I will add samples soon.",
                "2019-05-05T11:30:00+06:00",
            ),
        ),
        blocks=(
            para(
                "The Redmi Note 7 brings a 48 MP camera, a Snapdragon 660 and a 4000 mAh battery to "
                "a price that used to buy a phone with none of those."
            ),
            para(
                "Daylight photos are sharp and the battery easily lasts a day and a half. MIUI still "
                "shows ads in some system apps, which you can switch off in the settings."
            ),
            para(
                "For the price it is the phone I recommend to friends who do not want to spend more "
                "than they must."
            ),
        ),
    ),
    SamplePost(
        title="NVMe vs SATA SSD: real-world boot and build times",
        author="Hosne",
        published="2019-04-19T21:10:00+06:00",
        labels=("Storage", "Benchmarks"),
        shape="techpro",
        blocks=(
            para(
                "Synthetic benchmarks say an NVMe drive is five times faster than a SATA SSD. I "
                "timed the things I actually do on both drives in the same desktop."
            ),
            bullets(
                "Cold boot to desktop: 14.2 s (SATA) vs 12.9 s (NVMe)",
                "Kernel build: 7 min 51 s vs 7 min 38 s",
                "Copying a 20 GB video folder: 1 min 40 s vs 22 s",
            ),
            para(
                "Unless you move large files all day, the upgrade from SATA to NVMe is hard to notice. "
                "The jump from a hard disk to *any* SSD is the one that matters."
            ),
        ),
    ),
    SamplePost(
        title="Python asyncio: running blocking code without freezing the event loop",
        author="Mei Tanaka",
        published="2019-04-06T14:25:00+06:00",
        labels=("Python", "Programming"),
        shape="ratingpanel",
        blocks=(
            para(
                "A single blocking call, such as `requests.get` or a slow database driver, stops every "
                "coroutine in an asyncio program until it returns."
            ),
            para("The fix is to hand the call to a thread pool and await the result:"),
            code(
                "import asyncio\n"
                "async def main():\n"
                "    loop = asyncio.get_running_loop()\n"
                "    data = await loop.run_in_executor(None, slow_read, 'big.csv')\n"
                "    print(len(data) > 0 and 'ok' or 'empty')"
            ),
            para(
                "Since Python 3.9 `asyncio.to_thread` does the same in one line. Read the "
                "[asyncio documentation](https://docs.python.org/3/library/asyncio.html) for the "
                "details of executors."
            ),
        ),
    ),
    SamplePost(
        title="Password managers in 2019: what a breach really means",
        author="Carlos Correia",
        published="2019-03-23T08:45:00+06:00",
        labels=("Security",),
        shape="sora",
        blocks=(
            para(
                'Every few months a headline announces that a password manager was "hacked". '
                "Usually it means a bug report, not stolen vaults."
            ),
            para(
                "A good manager encrypts the vault on your device with a key derived from your master "
                "password. The company stores only ciphertext, so a server breach leaks little."
            ),
            para(
                "The real risks are a weak master password and malware on your own machine. Turn on "
                "two-factor authentication and keep your system updated."
            ),
        ),
    ),
    SEED,
    SamplePost(
        title="Five Git habits that saved our team from merge hell",
        author="Daniel Okafor",
        published="2019-02-14T17:30:00+06:00",
        labels=("Git", "Programming"),
        shape="techpro",
        extra={"para": "div"},
        blocks=(
            para("After a year of painful merges, we agreed on five small rules."),
            bullets(
                "Rebase your branch on main every morning",
                "Keep pull requests under 400 lines",
                "Write the commit message before the code",
                "Never force-push a shared branch",
                "Delete branches after merging",
                ordered=True,
            ),
            code("git fetch origin\ngit rebase origin/main\ngit push --force-with-lease"),
            para(
                "`--force-with-lease` refuses to overwrite work you have not seen, which makes "
                "rebasing a personal branch safe."
            ),
        ),
    ),
    SamplePost(
        title="Speeding up a Raspberry Pi 4 home server with zram",
        author="Mei Tanaka",
        published="2019-01-27T19:05:00+06:00",
        labels=("Linux", "Raspberry Pi"),
        shape="classic",
        blocks=(
            para(
                "My Raspberry Pi 4 runs Pi-hole, Nextcloud and a few containers on 2 GB of RAM. "
                "Swapping to the SD card made it crawl, so I switched to **zram swap**."
            ),
            para(
                "zram keeps a compressed swap device in memory. Compression costs some CPU, but the "
                "Pi has cycles to spare and the SD card is painfully slow."
            ),
            code(
                "sudo apt install zram-tools\n"
                "echo -e 'ALGO=lz4\\nPERCENT=50' | sudo tee /etc/default/zramswap\n"
                "sudo systemctl restart zramswap"
            ),
            para(
                "After the change, page loads in Nextcloud went from 4 s to under 1 s when memory was "
                "tight. Check the result with `zramctl` & `free -h`."
            ),
        ),
    ),
    SamplePost(
        title="Rust ownership explained with a library analogy",
        author="Daniel Okafor",
        published="2019-01-09T12:00:00+06:00",
        labels=("Rust", "Programming"),
        shape="classic",
        extra={"itemprop": "articleBody"},
        blocks=(
            para(
                "Think of a value in Rust as a library book. Exactly one person owns it at a time, "
                "and when the owner leaves, the book goes back on the shelf."
            ),
            para(
                "Borrowing is reading the book in the library: many people can read it at once "
                "(`&T`), but only one may write notes in it (`&mut T`), and never while others read."
            ),
            code(
                "fn main() {\n"
                '    let book = String::from("Dune");\n'
                "    let reader = &book;\n"
                '    println!("{} is {} chars", reader, reader.len());\n'
                "}"
            ),
            para("Once this picture clicks, most borrow-checker errors read like plain English."),
        ),
    ),
    SamplePost(
        title="Android battery drain: finding the app that keeps your phone awake",
        author="Hosne",
        published="2018-12-15T22:18:00+06:00",
        labels=("Android", "Smartphones"),
        shape="classic",
        blocks=(
            para(
                "If your phone loses 20% overnight, something is holding a wake lock. Android's "
                "battery screen rarely names the culprit, but `adb` will."
            ),
            code("adb shell dumpsys batterystats --charged | grep -i 'wake lock' | head -20"),
            para(
                "In my case a weather widget refreshed every five minutes. Removing it brought "
                "overnight drain down to 3%."
            ),
        ),
    ),
)

ABOUT: tuple[Block, ...] = (
    para(
        "Byte Sized Tech is a small group blog about phones, Linux, programming and the gadgets we "
        "buy with our own money."
    ),
    para("Written by Hosne, Mei Tanaka, Carlos Correia and Daniel Okafor."),
)
