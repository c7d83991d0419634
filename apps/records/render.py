"""Render a copy of a client's record to PDF with WeasyPrint.

Every page carries the client's identity (name, client number, date of birth) in its top
margin and "page X of Y" at the bottom, so that a page on its own still says whose it is.
WeasyPrint fetches nothing: every URL is refused, the template references no resource.
"""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from apps.clients.models import Client

from .sections import Section


class RefusingURLFetcher(URLFetcher):
    """Fetches nothing: a record is special-category data rendered on the server."""

    def fetch(self, url: str, headers: dict | None = None) -> None:
        raise URLFetchingError(f"Record rendering fetches no resources; refused {url[:200]!r}")


def _css_string(value: str) -> str:
    """``value`` as a quoted CSS string; quotes, backslashes, ``<`` and controls escaped."""
    escaped = "".join(
        f"\\{ord(char):06x}" if char in '"\\<>&' or ord(char) < 32 or ord(char) == 127 else char
        for char in value
    )
    return f'"{escaped}"'


def identity_line(client: Client) -> str:
    """Whose record this is, as every page's header says it."""
    return gettext("%(name)s · client number %(number)s · born %(born)s") % {
        "name": client.full_name,
        "number": client.client_number,
        "born": formats.date_format(client.date_of_birth, "SHORT_DATE_FORMAT"),
    }


def _page_css(client: Client) -> str:
    page = gettext("Page %(number)s of %(total)s")
    before, _sep, rest = page.partition("%(number)s")
    middle, _sep, after = rest.partition("%(total)s")
    numbering = " ".join(
        token
        for token in (
            _css_string(before) if before else "",
            "counter(page)",
            _css_string(middle) if middle else "",
            "counter(pages)",
            _css_string(after) if after else "",
        )
        if token
    )
    mark = gettext("Confidential – copy of the record for the client")
    return (
        "@page {"
        f" @top-left {{ content: {_css_string(identity_line(client))} }}"
        f" @top-right {{ content: {_css_string(mark)} }}"
        f" @bottom-left {{ content: {_css_string(client.organisation.name)} }}"
        f" @bottom-right {{ content: {numbering} }}"
        " }"
    )


def record_html(*, client: Client, sections: list[Section], made_by: str, made_at: datetime) -> str:
    return render_to_string(
        "records/copy_pdf.html",
        {
            "language": get_language() or "nl",
            "client": client,
            "identity": identity_line(client),
            "organisation": client.organisation,
            "sections": sections,
            "made_by": made_by,
            "made_at": formats.date_format(timezone.localtime(made_at), "DATETIME_FORMAT"),
        },
    )


def record_pdf(
    *, client: Client, sections: list[Section], made_by: str, made_at: datetime
) -> bytes:
    """The client's complete record as an A4 PDF in the active language."""
    fetcher = RefusingURLFetcher()
    html = record_html(client=client, sections=sections, made_by=made_by, made_at=made_at)
    stylesheets = [
        CSS(string=render_to_string("records/copy_pdf.css"), url_fetcher=fetcher),
        CSS(string=_page_css(client), url_fetcher=fetcher),
    ]
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(stylesheets=stylesheets)
