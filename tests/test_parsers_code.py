"""Code blocks flattened before any field is read: token spans and line-number gutters."""

from __future__ import annotations

from crawler.parsers import parse_post
from crawler.parsers.code import flatten_code
from crawler.parsers.dom import make_soup

PROSE = " ".join(["This paragraph is part of the post and ends like a sentence does."] * 3)
HIGHLIGHTED = (
    '<table><tr><td class="gutter"><pre><span class="line">1</span><br>'
    '<span class="line">2</span></pre></td><td class="code"><pre>'
    '<span class="line"><span class="meta">#<span class="meta-keyword">include</span> '
    '<span class="meta-string">&lt;stdio.h&gt;</span></span></span><br>'
    '<span class="line"><span class="keyword">int</span> x;</span></pre></td></tr></table>'
)


def _page(inner: str) -> str:
    return f"<html><head><title>Code</title></head><body><article><h1>Code</h1><p>{PROSE}</p>{inner}</article></body></html>"


def test_token_spans_go_their_text_stays_and_line_breaks_become_newlines() -> None:
    root = flatten_code(make_soup(_page(HIGHLIGHTED)))
    assert not root.xpath("//pre//span")
    assert not root.xpath("//pre//br")
    code = root.xpath("//td[contains(@class, 'code')]/pre/code")
    assert [c.text for c in code] == ["#include <stdio.h>\nint x;"]


def test_plain_preformatted_text_is_left_alone() -> None:
    root = flatten_code(make_soup(_page("<pre>  a poem\n    indented</pre>")))
    assert root.xpath("//pre")[0].text == "  a poem\n    indented"
    assert not root.xpath("//pre/code")


def test_the_line_number_column_goes_beside_a_code_cell_only() -> None:
    root = flatten_code(make_soup(_page(HIGHLIGHTED)))
    assert not root.xpath("//td[@class='gutter']")
    table = '<table><tr><td class="gutter">12 cm</td><td>margin</td></tr></table>'
    kept = flatten_code(make_soup(_page(table)))
    assert kept.xpath("string(//td[@class='gutter'])") == "12 cm"


def test_spans_outside_code_are_left_alone() -> None:
    root = flatten_code(make_soup(_page('<p>By <span class="author">Jane Roe</span></p>')))
    assert root.xpath("string(//span[@class='author'])") == "Jane Roe"


def test_the_body_keeps_every_token_and_no_line_numbers() -> None:
    """highlight.js's "meta" class (preprocessor lines, shell prompts) looked like
    boilerplate to trafilatura, which dropped those tokens from the code."""
    body = parse_post("https://example.org/2020/01/02/code/", _page(HIGHLIGHTED)).body
    assert "#include <stdio.h>\nint x;" in body.split("\n\n")
    assert "1" not in body.split()
    assert "2" not in body.split()


def test_a_code_block_after_a_line_break_stays_apart_from_the_paragraph() -> None:
    """Hexo puts the highlighter's <figure> inside the paragraph that introduces it."""
    html = _page(
        f"<p>Build it like this:<br><figure class='highlight c'>{HIGHLIGHTED}</figure></p>"
    )
    body = parse_post("https://example.org/2020/01/02/code/", html).body
    assert "Build it like this:\n\n#include <stdio.h>\nint x;" in body
