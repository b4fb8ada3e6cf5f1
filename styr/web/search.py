"""Search across goals, indicators and activities: by code, title or name, and description, in any
letter case (å, ä and ö included), limited to what the person may see. A fixed number of queries:
a count and a page of hits per kind, and the goals the indicators and activities belong to."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from styr.access.policy import visible_to
from styr.core.text_search import casefold, matching
from styr.planning.models import Activity, Goal, Indicator

MIN_LENGTH = 2
MAX_QUERY = 100
LIMIT = 50


@dataclass
class Hits:
    items: list
    count: int

    @property
    def more(self) -> bool:
        return self.count > len(self.items)


@dataclass
class SearchResult:
    query: str
    message: str = ""
    goals: Hits = field(default_factory=lambda: Hits([], 0))
    indicators: Hits = field(default_factory=lambda: Hits([], 0))
    activities: Hits = field(default_factory=lambda: Hits([], 0))

    @property
    def count(self) -> int:
        return self.goals.count + self.indicators.count + self.activities.count


def _hits(queryset: QuerySet, limit: int) -> Hits:
    return Hits(list(queryset[:limit]), queryset.count())


def _first_goal(item) -> Goal | None:
    """The goal an indicator or activity is shown under: the highest level, then by code."""
    goals = sorted(item.goals.all(), key=lambda g: (g.level.order, g.code))
    return goals[0] if goals else None


def search(*, user, query: str, limit: int = LIMIT) -> SearchResult:
    query = " ".join(query.split())
    if not query:
        return SearchResult(query, _("Write a word or a code to search for."))
    if len(query) < MIN_LENGTH:
        return SearchResult(
            query, _("Write at least %(count)s letters to search for.") % {"count": MIN_LENGTH}
        )
    words = [casefold(word) for word in query.split()]
    goals_only = Goal.objects.select_related("level").only(
        "pk", "code", "title", "valid_from", "valid_to", "level__order", "level__name"
    )
    goals = matching(
        visible_to(user, Goal.objects.all()), words, ("code", "title", "description")
    ).select_related("level", "unit")
    indicators = (
        matching(visible_to(user, Indicator.objects.all()), words, ("code", "name", "description"))
        .select_related("unit")
        .prefetch_related(Prefetch("goals", queryset=goals_only))
    )
    activities = (
        matching(visible_to(user, Activity.objects.all()), words, ("code", "title", "description"))
        .select_related("unit")
        .prefetch_related(Prefetch("goals", queryset=goals_only))
    )
    result = SearchResult(
        query,
        goals=_hits(goals.order_by("-valid_from", "level__order", "code"), limit),
        indicators=_hits(indicators.order_by("code"), limit),
        activities=_hits(activities.order_by("-start", "code"), limit),
    )
    for item in result.indicators.items + result.activities.items:
        item.search_goal = _first_goal(item)
    if not result.count:
        result.message = _("Nothing matched “%(query)s”. Try another word or a shorter one.") % {
            "query": query
        }
    return result
