"""Links of many rows: ``reverse`` once per page, not once per row.

A list of a hundred rows with two links each spent more time in ``reverse`` (and the ``{% url %}``
tag around it) than in anything else it printed (docs/performance.md, issue 19).
``url_for_each("clients:detail")`` reverses the route once and returns a function that gives
the same URL as ``reverse`` for each primary key.
"""

from collections.abc import Callable

from django.urls import reverse

# An id no row has, to find where the last argument goes in the reversed URL.
_MARK = 2147480123


def url_for_each(viewname: str, *args) -> Callable[[int], str]:
    """The URL of ``viewname`` with ``args`` and then each row's integer key."""
    head, tail = reverse(viewname, args=[*args, _MARK]).rsplit(str(_MARK), 1)

    def url(pk: int) -> str:
        return f"{head}{int(pk)}{tail}"

    return url
