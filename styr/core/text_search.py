"""Matching words in text fields whatever the letter case, å, ä and ö included, on PostgreSQL and
SQLite alike: the search page and Kolada's KPI catalogue use it."""

from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Func, Q, QuerySet


def casefold(value) -> str | None:
    return value.lower() if value is not None else None


class Folded(Func):
    """A text in lower case in every alphabet. PostgreSQL's LOWER folds å, ä and ö as well;
    SQLite's folds only ASCII, so there Python's str.lower does the work."""

    function = "LOWER"

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_function("styr_casefold", 1, casefold, deterministic=True)
        return super().as_sql(compiler, connection, function="styr_casefold", **extra)


def matching(queryset: QuerySet, words: list[str], fields: tuple[str, ...]) -> QuerySet:
    """Rows in which every word occurs in one of the fields, whatever the letter case. On SQLite a
    word of plain ASCII (a code, most words) is matched by its case-insensitive LIKE; only a word
    with å, ä, ö or the like needs the folded text, which costs more there."""
    folded = {f"folded_{name}": Folded(name) for name in fields}
    # PostgreSQL's UPPER folds every alphabet, and its trigram indexes serve icontains.
    everywhere = connection.vendor == "postgresql"
    conditions = [
        reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields))
        if everywhere or word.isascii()
        else reduce(or_, (Q(**{f"{alias}__contains": word}) for alias in folded))
        for word in words
    ]
    if not everywhere and not all(word.isascii() for word in words):
        queryset = queryset.alias(**folded)
    return queryset.filter(reduce(and_, conditions))
