"""Facet counts within a search, on bitsets.

Disjunctive: a group's counts use every filter except the group's own, so with "Remote" ticked the
page still shows how many "Hybrid" jobs there are. Small groups count with one AND + popcount per
value; large groups (company, location) do the same for their values with many documents and
walk only the long tail's documents (segments.LargeFacet).
Range groups (posted, salary) count each bucket as "value at least its bound".
"""

from __future__ import annotations

from collections import Counter

LARGE_GROUPS = ("company_slug", "location_key")


def count_facets(
    leaf,
    matched: int,
    filters: dict[str, int],
    groups,
    range_facets,
    facets: dict[str, Counter],
    labels: dict[str, dict[str, str]],
) -> None:
    """Add one segment's counts to `facets` (and its labels of large groups to `labels`)."""
    data, reader = leaf.data, leaf.reader
    for g in groups:
        base = matched
        for other, mask in filters.items():
            if other != g:
                base &= mask
        if not base:
            continue
        counter = facets[g]
        if g in range_facets:
            rc = data.range(reader, range_facets[g].column)
            for key, bound in range_facets[g].buckets:
                n = (base & rc.at_least(bound)).bit_count()
                if n:
                    counter[key] += n
        elif g in LARGE_GROUPS:
            data.large_facet(reader, g).count(base, leaf.live, counter)
            labels[g].update(data.labels.get(g, {}))
        else:
            for value, vmask in data.values_of(reader, g).items():
                n = (base & vmask).bit_count()
                if n:
                    counter[value] += n
