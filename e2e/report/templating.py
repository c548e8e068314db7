"""The one Jinja2 environment of the reports: templates shipped in the package, autoescaping always on.

Why a template engine: the report draws untrusted text (a timeline from a bug report can name a lane
`"><script>`); escaping every field by hand in string building missed 108 of them. With autoescape on, every
`{{ }}` is HTML-escaped in text and attributes alike, and StrictUndefined turns a typo into an error.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("e2e.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
