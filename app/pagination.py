"""Page arithmetic shared by every paginated result (a job list, a search)."""


class Paginated:
    """Mixin for a result with `page` (from 1), `per_page` and `total` attributes."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


MAX_PAGE = 1000  # deeper than anyone reads; also keeps OFFSET far from integer overflow


def page_number(args, name: str = "page") -> int:
    """The requested page from a query string, clamped to 1..MAX_PAGE (never an error)."""
    raw = (args.get(name) or "").strip()
    if not raw.isdigit():
        return 1
    return max(1, min(int(raw[:6]), MAX_PAGE))
