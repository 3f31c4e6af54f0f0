"""Code blocks as text: syntax highlighters' token markup and line numbers taken out of a page.

Highlighters (highlight.js, Rouge, Pygments, Prism, Chroma) wrap every token of a code block
in a classed ``<span>``: a code-heavy post has more of them than of every other element. Each
field's scan of the page pays for them, trafilatura most of all (it tests every element's
class and id with Python regexes), and a token class that looks like boilerplate to it
("meta" on a ``#include`` line or a shell prompt, "hidden") lost that token from the body.
The spans go and their text stays, and a ``<br>`` in code becomes the newline it shows (a
code block that opens with bare text after a ``<br>`` is otherwise glued to the paragraph
before it by trafilatura), so the code reads as it did.
"""

from __future__ import annotations

from lxml import etree

from .dom import Element

_CODE_TAGS = ("pre", "code")


def _has_class(*names: str) -> str:
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names
    )


# The line-number column of a table-style highlighter (Hexo's "gutter", Rouge's
# "rouge-gutter", Pygments' "linenos") beside its code cell: numbers, not post text.
_GUTTERS = etree.XPath(
    f".//td[{_has_class('gutter', 'rouge-gutter', 'linenos')}]"
    f"[following-sibling::td[{_has_class('code', 'rouge-code')}]]"
)


def flatten_code(root: Element) -> Element:
    """``root`` with its code blocks holding only text (``<br>`` as a newline), and without
    the line-number column beside them (changed in place)."""
    for gutter in _GUTTERS(root):
        gutter.drop_tree()
    for block in _marked_up_code(root):
        for br in block.iter("br"):
            br.tail = "\n" + (br.tail or "")
        etree.strip_tags(block, "span", "br")
        if block.tag == "pre" and len(block) == 0:
            _wrap_in_code(block)
    return root


def _marked_up_code(root: Element) -> list[Element]:
    """The outermost ``pre`` and ``code`` blocks that hold spans or line breaks."""
    # iter() finds the few code elements in C; an XPath predicate would test every element.
    return [
        block
        for block in root.iter(*_CODE_TAGS)
        if next(block.iterancestors(*_CODE_TAGS), None) is None
        and next(block.iter("span", "br"), None) is not None
    ]


def _wrap_in_code(pre: Element) -> None:
    """``<pre>TEXT</pre>`` → ``<pre><code>TEXT</code></pre>``, HTML's markup for a code block
    (which trafilatura keeps line by line; a bare ``<pre>`` in a table cell is run together)."""
    code = pre.makeelement("code", {})
    code.text, pre.text = pre.text, None
    pre.insert(0, code)
