"""Where a job is, read from the free text a recruiter types: city, country and remote region.

"Berlin, Germany", "Berlin, DE" and "berlin" are one place; so are "Remote (EU)", "Remote - Europe"
and "Remote, European Union"; "NYC" is New York, United States. The job keeps the text as typed
(it is what the job page shows) and stores what this module reads from it (models/jobs.py), so the
search's location facet counts one place once, whichever spelling each posting used.

Deliberately small: a table of countries, US states and Canadian provinces, remote regions, and the
cities people abbreviate or spell in two ways. A city it does not know keeps the spelling typed
(with its country when one is given); nothing is ever dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Country names as shown, by every spelling and code we accept (matched case-insensitively).
_COUNTRIES = {
    "United States": ("us", "usa", "u.s.", "u.s.a.", "united states of america", "america", "the us", "the usa"),
    "United Kingdom": ("uk", "u.k.", "gb", "great britain", "britain", "england", "scotland", "wales"),
    "Germany": ("de", "deutschland"),
    "France": ("fr",),
    "Netherlands": ("nl", "the netherlands", "holland"),
    "Ireland": ("ie",),
    "Spain": ("es", "españa"),
    "Portugal": ("pt",),
    "Italy": ("it", "italia"),
    "Switzerland": ("ch", "schweiz", "suisse"),
    "Austria": ("at", "österreich"),
    "Belgium": ("be",),
    "Sweden": ("se",),
    "Denmark": ("dk",),
    "Norway": ("no",),
    "Finland": ("fi",),
    "Poland": ("pl", "polska"),
    "Czechia": ("cz", "czech republic"),
    "Estonia": ("ee",),
    "Greece": ("gr",),
    "Romania": ("ro",),
    "Canada": ("ca",),
    "Mexico": ("mx", "méxico"),
    "Brazil": ("br", "brasil"),
    "Argentina": ("ar",),
    "India": ("in",),
    "Singapore": ("sg",),
    "Japan": ("jp",),
    "China": ("cn",),
    "South Korea": ("kr", "korea"),
    "Australia": ("au",),
    "New Zealand": ("nz",),
    "Israel": ("il",),
    "United Arab Emirates": ("ae", "uae"),
    "South Africa": ("za",),
    "Nigeria": ("ng",),
    "Kenya": ("ke",),
}
COUNTRIES = {alias: name for name, aliases in _COUNTRIES.items() for alias in (name.casefold(), *aliases)}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario", "PE": "Prince Edward Island",
    "QC": "Quebec", "SK": "Saskatchewan",
}  # fmt: skip
# State or province (by code or name, case-insensitive) -> (its code, its country).
_SUBDIVISIONS = {
    alias.casefold(): (code, country)
    for table, country in ((US_STATES, "United States"), (CA_PROVINCES, "Canada"))
    for code, name in table.items()
    for alias in (code, name)
}

# Cities: every spelling -> (the name we show, its country). Abbreviations and exonyms first of all;
# the big hiring cities so that a city typed alone ("Berlin") still gets its country.
_CITIES = {
    ("New York", "United States"): ("nyc", "new york city", "ny", "manhattan", "brooklyn"),
    ("San Francisco", "United States"): ("sf", "san francisco bay area", "bay area", "sfo"),
    ("Los Angeles", "United States"): ("la", "l.a."),
    ("Washington", "United States"): ("washington dc", "washington d.c.", "dc", "d.c."),
    ("Boston", "United States"): (),
    ("Austin", "United States"): (),
    ("Seattle", "United States"): (),
    ("Chicago", "United States"): (),
    ("Denver", "United States"): (),
    ("Berlin", "Germany"): (),
    ("Munich", "Germany"): ("münchen", "muenchen"),
    ("Hamburg", "Germany"): (),
    ("Cologne", "Germany"): ("köln", "koeln"),
    ("London", "United Kingdom"): (),
    ("Manchester", "United Kingdom"): (),
    ("Edinburgh", "United Kingdom"): (),
    ("Paris", "France"): (),
    ("Amsterdam", "Netherlands"): (),
    ("Rotterdam", "Netherlands"): (),
    ("Dublin", "Ireland"): (),
    ("Madrid", "Spain"): (),
    ("Barcelona", "Spain"): (),
    ("Lisbon", "Portugal"): ("lisboa",),
    ("Milan", "Italy"): ("milano",),
    ("Zurich", "Switzerland"): ("zürich", "zuerich"),
    ("Geneva", "Switzerland"): ("genève", "geneve", "genf"),
    ("Vienna", "Austria"): ("wien",),
    ("Stockholm", "Sweden"): (),
    ("Copenhagen", "Denmark"): ("københavn", "kobenhavn"),
    ("Oslo", "Norway"): (),
    ("Helsinki", "Finland"): (),
    ("Warsaw", "Poland"): ("warszawa",),
    ("Prague", "Czechia"): ("praha",),
    ("Tallinn", "Estonia"): (),
    ("Toronto", "Canada"): (),
    ("Vancouver", "Canada"): (),
    ("Montreal", "Canada"): ("montréal",),
    ("Mexico City", "Mexico"): ("cdmx", "ciudad de méxico"),
    ("São Paulo", "Brazil"): ("sao paulo",),
    ("Bengaluru", "India"): ("bangalore", "blr"),
    ("Mumbai", "India"): ("bombay",),
    ("New Delhi", "India"): ("delhi",),
    ("Hyderabad", "India"): (),
    ("Pune", "India"): (),
    ("Singapore", "Singapore"): (),
    ("Tokyo", "Japan"): (),
    ("Sydney", "Australia"): (),
    ("Melbourne", "Australia"): (),
    ("Tel Aviv", "Israel"): ("tel aviv-yafo",),
    ("Dubai", "United Arab Emirates"): (),
}
CITIES = {alias: place for place, aliases in _CITIES.items() for alias in (place[0].casefold(), *aliases)}

# Remote regions: every spelling -> the name we show. Countries are regions too (COUNTRIES).
_REGIONS = {
    "Europe": ("eu", "europe", "european union", "europe only", "eu only", "european"),
    "EMEA": ("emea",),
    "North America": ("north america", "na"),
    "Americas": ("americas", "the americas"),
    "Latin America": ("latam", "latin america", "south america"),
    "APAC": ("apac", "asia pacific", "asia-pacific", "asia"),
    "Worldwide": ("worldwide", "anywhere", "global", "world", "anywhere in the world", "earth"),
}
REGIONS = {alias: name for name, aliases in _REGIONS.items() for alias in aliases}

_REMOTE = re.compile(r"\b(?:fully[\s-]+)?remote(?:[\s-]+(?:first|friendly|only|ok))?\b", re.IGNORECASE)
_REMOTE_ALONE = re.compile(r"^(?:anywhere|worldwide|work from home|wfh)$", re.IGNORECASE)
# Words around a region that do not change it: "Remote (US only)", "Remote - based in Europe".
_FILLER = re.compile(r"\b(?:only|based(?: in)?|within|in|from|timezones?|time zones?|tz|or)\b", re.IGNORECASE)
# How the job is worked is the workplace field's business, not part of the place: "Hybrid - Berlin".
_WORKPLACE = re.compile(r"\b(?:hybrid|on[\s-]?site|in[\s-]office)\b", re.IGNORECASE)
# The length of Job.location_key (models/jobs.py).
MAX_KEY = 255
_SPLIT = re.compile(r"\s*[,;/|]\s*|\s+[-–—]\s+")


@dataclass(frozen=True)
class Place:
    """A location as the job board files it. `remote_region` is set for remote work ("" for a
    remote job that names no region); `remote` tells a remote job without a region from no place."""

    city: str = ""
    country: str = ""
    state: str = ""  # a US state or Canadian province code, when one was given
    remote: bool = False
    remote_region: str = ""

    @property
    def label(self) -> str:
        """One spelling for every way of writing this place: "Berlin, Germany", "Remote (Europe)",
        "Remote"; "" when nothing was given. The state is left out, so that "New York, NY" and "NYC"
        are one place (two Portlands in one facet value is the price)."""
        if self.remote:
            return f"Remote ({self.remote_region})" if self.remote_region else "Remote"
        parts = [self.city, self.country]
        if self.city and self.city == self.country:  # Singapore
            parts = [self.city]
        return ", ".join(part for part in parts if part)

    @property
    def key(self) -> str:
        """The search facet's key for this place: its label, case-insensitive. Cut to the stored
        column's length (Job.location_key): casefolding can lengthen a text ("ß" is "ss", "ﬃ" is
        "ffi"), and a filter's key is cut the same way, so it still finds the job."""
        return self.label.casefold()[:MAX_KEY]


def _clean(text: str) -> str:
    return " ".join((text or "").split()).strip(" ,;:-–—/|()[]")


def _shown(text: str) -> str:
    """A name we do not know, as typed, but "berlin" or "BERLIN" as "Berlin". Never longer than
    typed: some letters grow when capitalised ("ﬃ" is "Ffi"), and the city must fit the column the
    location (as long) fits in."""
    if text.islower() or (text.isupper() and len(text) > 3):
        titled = text.title()
        return titled if len(titled) == len(text) else text
    return text


def _country(text: str) -> str | None:
    return COUNTRIES.get(text.casefold().strip("."))


def _region(text: str) -> str:
    """A remote region (or a country) from what is left of "Remote (...)"; "" for none."""
    text = _clean(_FILLER.sub(" ", text))
    if not text:
        return ""
    folded = text.casefold()
    if folded in REGIONS:
        return REGIONS[folded]
    if (country := _country(text)) is not None:
        return country
    if folded in _SUBDIVISIONS:
        return _SUBDIVISIONS[folded][1]
    place = _place(text)
    return place.country or place.city


def _place(text: str) -> Place:
    """An on-site place: "City", "City, Country", "City, ST(, Country)", "Country"."""
    parts = [_clean(part) for part in _SPLIT.split(text)]
    parts = [part for part in parts if part]
    if not parts:
        return Place()
    known = CITIES.get(parts[0].casefold())
    country = state = ""
    if len(parts) > 1:
        as_country = _country(parts[-1])
        as_state = _SUBDIVISIONS.get(parts[-1].casefold())
        if as_country and as_state:  # "DE" is Germany or Delaware, "CA" Canada or California...
            if known and known[1] == as_country:
                as_state = None
            elif known and known[1] == as_state[1]:
                as_country = None
            else:  # "City, ST" is how postings in the US and Canada write it
                as_country = None
        if as_country:
            country, parts = as_country, parts[:-1]
        elif as_state:
            (state, country), parts = as_state, parts[:-1]
    sub = _SUBDIVISIONS.get(parts[-1].casefold()) if len(parts) > 1 and not state else None
    if sub is not None and (not country or country == sub[1]):  # "Boston, MA, USA"
        (state, country), parts = sub, parts[:-1]
    city_text = parts[0]
    if len(parts) == 1 and not country and known is None and (found := _country(city_text)) is not None:
        return Place(country=found)  # a country alone
    if known is not None and (not country or country == known[1]):
        return Place(city=known[0], state=state, country=known[1])
    return Place(city=_shown(city_text), state=state, country=country)


@lru_cache(maxsize=4096)
def normalize(text: str) -> Place:
    """The Place a location text names (see the module's docstring). Pure; cached."""
    text = " ".join((text or "").split())
    if not text:
        return Place()
    if _REMOTE_ALONE.match(text.strip(" ()")):
        return Place(remote=True, remote_region="Worldwide")
    if _REMOTE.search(text):
        return Place(remote=True, remote_region=_region(_REMOTE.sub(" ", text)))
    return _place(_WORKPLACE.sub(" ", text))


def location_key(text: str) -> str:
    """The facet key of a location text: the same for every spelling of one place."""
    return normalize(text).key


def location_label(text: str) -> str:
    """The one spelling shown for a location text in the search's filters."""
    return normalize(text).label
