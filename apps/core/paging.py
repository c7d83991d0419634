"""Page numbers over a big, ordered queryset without joining every row before the cut.

``Paginator`` slices the queryset itself: ``OFFSET n LIMIT 25`` over the whole query with its
``select_related`` joins, so a late page makes PostgreSQL join (or hash) every row before it
throws all but 25 away. ``DeferredJoinPaginator`` takes the page's primary keys first, by the
same filter and order without the joins (the index that gives the order does the work), then
reads those rows with everything the template needs: two queries a page, whichever the page,
and the same rows in the same order as ``Paginator`` gives (docs/performance.md, issue 19).
"""

from django.core.paginator import Page, Paginator


class DeferredJoinPaginator(Paginator):
    """A ``Paginator`` over an ordered queryset whose order ends on a unique column.

    ``direct_first_page``: read the first page in one query, as ``Paginator`` does, where an
    index gives the order and ``LIMIT`` stops after the page (a client's timeline: its
    ``(trajectory, -date)`` index); the later pages still take their ids first.
    """

    def __init__(self, *args, direct_first_page: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.direct_first_page = direct_first_page

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if bottom == 0 and self.direct_first_page:
            return self._get_page(list(queryset[:top]), number, self)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = list(queryset.filter(pk__in=ids)) if ids else []
        return self._get_page(rows, number, self)
