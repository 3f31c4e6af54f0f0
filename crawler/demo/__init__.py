"""The bundled sample blog behind ``blogarchive demo``: rendered pages (``site/``, package
data) and the small loopback server that serves them (:mod:`crawler.demo.server`).

The generator that rendered them, and the other fixture blogs, live with the tests
(``tests/sites/``): they are not shipped.
"""
