"""Result counts and page links for every results page, drawn by `web/_pager.html`.

Two kinds of pages feed it. Searches over reads and alerts walk an index with a cursor and
never count the whole result (a count over months of reads would cost more than the page);
they know where this page starts because the next-page link carries it (`at`), and say
whether more follow. Lists kept small enough to count (the audit log) use Django's paginator
and show the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.http import HttpRequest

#: The query parameters a page link sets; the rest of the query (the search) is kept.
_PAGE_PARAMS = ("cursor", "at", "page")


@dataclass(frozen=True)
class Pager:
    """Where this page of results sits: rows `first`..`last` of `total` (None: not counted)."""

    first: int
    shown: int
    total: int | None
    noun: str
    nouns: str
    next_link: str | None = None
    previous_link: str | None = None
    first_link: str | None = None

    @property
    def last(self) -> int:
        return self.first + self.shown - 1

    @property
    def more(self) -> bool:
        return self.next_link is not None


def cursor_pager(
    request: HttpRequest, shown: int, next_cursor: str | None, noun: str, nouns: str = ""
) -> Pager:
    """A pager for a cursor-walked result: this page starts at the `at` the link carried."""
    at = request.GET.get("at", "")
    first = int(at) if at.isdigit() and int(at) > 0 else 1
    next_link = _link(request, cursor=next_cursor, at=str(first + shown)) if next_cursor else None
    return Pager(
        first=first,
        shown=shown,
        total=None if next_cursor or first > 1 else shown,
        noun=noun,
        nouns=nouns or f"{noun}s",
        next_link=next_link,
        first_link=_link(request) if first > 1 else None,
    )


def counted_pager(request: HttpRequest, page: Page, noun: str, nouns: str = "") -> Pager:
    """A pager for a Django paginator's page: the total is known."""
    return Pager(
        first=page.start_index() if page.object_list else 1,
        shown=len(page.object_list),
        total=page.paginator.count,
        noun=noun,
        nouns=nouns or f"{noun}s",
        next_link=_link(request, page=str(page.next_page_number())) if page.has_next() else None,
        previous_link=(
            _link(request, page=str(page.previous_page_number())) if page.has_previous() else None
        ),
    )


def _link(request: HttpRequest, **params: str) -> str:
    query = request.GET.copy()
    for name in _PAGE_PARAMS:
        query.pop(name, None)
    query.update(params)
    return f"?{query.urlencode()}"
