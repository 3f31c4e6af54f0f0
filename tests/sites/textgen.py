"""Deterministic tech-blog prose from a small vocabulary (seeded ``random.Random`` only)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.sites.model import Block, bullets, code, heading, image, para, quoted


@dataclass(frozen=True)
class Topic:
    """A subject area: its label, things to talk about, products, and code snippets."""

    label: str
    subjects: tuple[str, ...]
    products: tuple[str, ...]
    snippets: tuple[str, ...]
    link: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Linux",
        ("systemd timers", "the ext4 journal", "zram swap", "the OOM killer", "cgroups v2"),
        ("Ubuntu 22.04", "Debian 12", "Fedora 39", "Arch Linux"),
        (
            "$ systemctl list-timers --all\n$ journalctl -u backup.service --since today",
            "# /etc/sysctl.d/99-swap.conf\nvm.swappiness = 10\nvm.vfs_cache_pressure = 50",
            'for f in /var/log/*.log; do\n  [ -s "$f" ] && gzip -k "$f"\ndone',
        ),
        "https://www.kernel.org/doc/html/latest/",
    ),
    Topic(
        "Smartphones",
        ("battery life", "the camera pipeline", "fast charging", "the 120 Hz display"),
        ("Pixel 8", "Galaxy S23", "Redmi Note 12", "OnePlus 11", "iPhone 15"),
        ("adb shell dumpsys batterystats --charged > stats.txt",),
        "https://source.android.com/docs",
    ),
    Topic(
        "Web Development",
        ("HTTP caching", "server-side rendering", "lazy loading", "Core Web Vitals"),
        ("Nginx", "Caddy", "Next.js", "Django 5"),
        (
            'location ~* \\.(css|js|svg)$ {\n    expires 30d;\n    add_header Cache-Control "public";\n}',
            "curl -sI https://example.com/ | grep -i -E 'cache-control|etag'",
        ),
        "https://developer.mozilla.org/en-US/docs/Web/HTTP",
    ),
    Topic(
        "Security",
        ("password reuse", "two-factor authentication", "TLS certificates", "SSH keys"),
        ("Bitwarden", "YubiKey 5", "KeePassXC", "Let's Encrypt"),
        (
            'ssh-keygen -t ed25519 -C "laptop-2024"\nssh-copy-id -i ~/.ssh/id_ed25519.pub me@server',
            "if [ $(stat -c %a ~/.ssh/id_ed25519) -gt 600 ]; then\n  chmod 600 ~/.ssh/id_ed25519\nfi",
        ),
        "https://owasp.org/www-project-top-ten/",
    ),
    Topic(
        "Programming",
        ("async I/O", "type hints", "memory safety", "unit tests", "error handling"),
        ("Python 3.12", "Rust 1.75", "Go 1.22", "TypeScript 5"),
        (
            (
                "async def fetch_all(urls):\n    async with httpx.AsyncClient() as client:\n"
                "        return await asyncio.gather(*(client.get(u) for u in urls))"
            ),
            "fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {\n    if a.len() > b.len() { a } else { b }\n}",
            'if err != nil && !errors.Is(err, io.EOF) {\n\treturn fmt.Errorf("read: %w", err)\n}',
        ),
        "https://docs.python.org/3/",
    ),
    Topic(
        "Hardware",
        ("NVMe drives", "mechanical keyboards", "USB-C docks", "thermal paste", "mini PCs"),
        ("Samsung 990 Pro", "Keychron Q1", "Raspberry Pi 5", "Intel NUC 13", "Framework 13"),
        ("sudo fio --name=randread --rw=randread --bs=4k --size=1G --numjobs=4",),
        "https://www.anandtech.com/",
    ),
    Topic(
        "Cloud",
        ("object storage", "autoscaling", "container images", "cold starts", "egress costs"),
        ("Kubernetes 1.29", "Docker", "Terraform", "AWS Lambda"),
        (
            (
                "FROM python:3.12-slim\nCOPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt && rm -rf /root/.cache"
            ),
            "kubectl get pods -A --field-selector=status.phase!=Running",
        ),
        "https://kubernetes.io/docs/home/",
    ),
    Topic(
        "Networking",
        ("Wi-Fi 6 mesh", "IPv6", "DNS over HTTPS", "VLANs", "WireGuard"),
        ("TP-Link Deco X55", "UniFi Dream Router", "Pi-hole", "OpenWrt 23.05"),
        ("[Interface]\nAddress = 10.0.0.2/32\nPrivateKey = <redacted>\nDNS = 10.0.0.1",),
        "https://www.rfc-editor.org/",
    ),
)

ADJECTIVES = (
    "surprisingly fast",
    "easy to misconfigure",
    "worth the effort",
    "overrated",
    "underrated",
    "a solid default",
    "hard to debug",
    "cheaper than it looks",
)
ACTIONS = (
    "measure before you tune anything",
    "read the changelog",
    "keep a rollback plan",
    "pin your versions",
    "check the logs",
    "test on a spare machine",
    "turn off the defaults you do not need",
)
DEVICES = (
    "a ThinkPad T14",
    "a Raspberry Pi 4",
    "an old Dell Optiplex",
    "a MacBook Air M2",
    "a home server",
)
CONTEXTS = ("bug reports", "forum threads", "release notes", "benchmarks", "our support inbox")
TITLE_TEMPLATES = (
    "How to tame {subject} on {product}",
    "{n} things I learned about {subject}",
    "Why {subject} feels {adj} in {year}",
    "Fixing {subject} problems on {product}",
    "A practical guide to {subject}",
    "{subject}: what the documentation does not tell you",
    "Moving our setup to {product}: notes on {subject}",
)
REVIEW_TITLES = (
    "{product} review: {adj} for the price",
    "{product} review after {n} months",
    "Hands-on with the {product}",
)
SENTENCES = (
    "In our tests, the numbers for {subject} improved by {pct}% compared to the previous setup.",
    "The short version: {subject} turns out {adj} once you {action}.",
    "If you run {subject} on {product}, you will want to {action} first.",
    "Most guides skip the part where you must reboot before changes to {subject} take effect.",
    "We tried it on {device} with {ram} GB of RAM, with {product} alongside.",
    "That explains why {subject} keeps showing up in {context}.",
    "The official documentation is thin on {subject}, so here is what actually happened.",
    "After {n} weeks the numbers were stable: {pct}% fewer errors and no regressions.",
    "Nobody on the team expected {subject} to be {adj}, but here we are.",
    "A reader asked whether {product} changes the picture for {subject}; it mostly does not.",
    "Remember to {action}, because problems with {subject} stay quiet until they are not.",
    "{product} handles {subject} well, although the defaults are conservative.",
    "It took about {n} minutes to set up and roughly an hour to understand.",
    "Compared with last year, {subject} feels {adj}, mainly thanks to better tooling.",
)
COMMENTERS = (
    "Anonymous",
    "Rahul Verma",
    "Sofia Lindgren",
    "techdad42",
    "Yusuf Demir",
    "Claire Dubois",
    "Tomasz Kowalski",
    "Aiko",
)
COMMENT_TEXTS = (
    "Great write-up, this saved me an afternoon.",
    "Did you try this on ARM as well? Curious about the numbers.",
    "The second command did not work for me until I ran it as root.",
    "Thanks! Bookmarked for the next time my server acts up.",
    "I disagree about the defaults, but the benchmark section is excellent.",
    "Any plans to write a follow-up on the same topic?",
)


class TextGen:
    """Seeded generator of titles, paragraphs and whole post bodies."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def topic(self) -> Topic:
        return self.rng.choice(TOPICS)

    def _fill(self, template: str, topic: Topic, mark: bool) -> str:
        r = self.rng
        values = {
            "subject": r.choice(topic.subjects),
            "product": r.choice(topic.products),
            "adj": r.choice(ADJECTIVES),
            "action": r.choice(ACTIONS),
            "device": r.choice(DEVICES),
            "context": r.choice(CONTEXTS),
            "n": str(r.randint(2, 12)),
            "pct": str(r.randint(5, 60)),
            "ram": str(r.choice((4, 8, 16, 32))),
            "year": str(r.randint(2019, 2024)),
        }
        if mark and "{subject}" in template:
            style = r.choice(("**{}**", "*{}*", "`{}`", "[{}](" + topic.link + ")"))
            values["subject"] = style.format(values["subject"])
        return template.format(**values)

    def title(self, topic: Topic, review: bool = False) -> str:
        template = self.rng.choice(REVIEW_TITLES if review else TITLE_TEMPLATES)
        text = self._fill(template, topic, mark=False)
        return text[0].upper() + text[1:]

    def sentence(self, topic: Topic, mark: bool = False, template: str | None = None) -> str:
        text = self._fill(template or self.rng.choice(SENTENCES), topic, mark)
        return text[0].upper() + text[1:] if text[0].islower() else text

    def paragraph(self, topic: Topic, internal: str | None = None) -> Block:
        count = self.rng.randint(2, 5)
        marked = self.rng.randrange(count + 2)
        templates = self.rng.sample(SENTENCES, count)
        parts = [self.sentence(topic, i == marked, t) for i, t in enumerate(templates)]
        if internal:
            parts.append(f"We covered a related setup in [an earlier post]({internal}).")
        return para(" ".join(parts))

    def body(self, topic: Topic, internal: str | None = None) -> tuple[Block, ...]:
        """3–12 paragraphs, sometimes with a heading, list, code block, quote or image."""
        r = self.rng
        n = r.randint(3, 12)
        blocks = [self.paragraph(topic) for _ in range(n)]
        if internal and n > 1:
            blocks[1] = self.paragraph(topic, internal)
        if r.random() < 0.4:
            blocks.insert(r.randint(1, len(blocks)), code(r.choice(topic.snippets)))
        if r.random() < 0.35:
            items = [self._fill("{action}", topic, False).capitalize() for _ in range(3)]
            blocks.insert(r.randint(1, len(blocks)), bullets(*dict.fromkeys(items)))
        if r.random() < 0.3 and len(blocks) > 3:
            blocks.insert(len(blocks) // 2, heading(self.title(topic), r.choice((2, 3))))
        if r.random() < 0.15:
            blocks.insert(r.randint(1, len(blocks)), quoted(self.sentence(topic)))
        if r.random() < 0.3:
            src = f"/img/b/demo/{r.randrange(10**8)}/s1600/photo.png"
            blocks.insert(1, image(src, r.choice(topic.products)))
        return tuple(blocks)
