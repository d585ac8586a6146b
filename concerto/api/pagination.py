"""Page-number pagination: two queries (count + one page), whatever the size of the data."""

from math import ceil

from .schemas import PageParams


def paginate(queryset, params: PageParams) -> dict:
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    items = list(queryset[start : start + params.page_size]) if start < count else []
    return {
        "items": items,
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "pages": ceil(count / params.page_size),
    }
