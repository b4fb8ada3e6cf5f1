"""A small client for Kolada's open API, version 3 (https://api.kolada.se/v3/).

Kolada asks its users to be polite: at most 25 ids in a path segment, at most 5,000 rows a page,
about five requests a second, and to wait as long as a 429 answer's Retry-After says. The client
does all of that, follows `next_url` from page to page, retries what the server calls temporary
(429, 5xx, a dropped connection) with a growing pause, and turns every failure into
KoladaUnavailable, whose text is a Swedish sentence for people rather than a traceback.

The transport, the clock and the sleep can be replaced, so that tests run offline and at once."""

import json
import logging
import time
from collections.abc import Callable, Iterator
from itertools import product
from urllib.parse import quote, urljoin

import httpx
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

BASE_URL = "https://api.kolada.se/v3"
MAX_IDS = 25
PER_PAGE = 5000
USER_AGENT = "Styr/0.1 (goal and performance management for Swedish municipalities)"
# The first pause after a temporary error; it doubles with every new try.
BACKOFF_SECONDS = 1.0
# A Retry-After longer than this is not waited for: the run stops and can be started again later.
MAX_RETRY_AFTER = 120.0


class KoladaUnavailable(Exception):
    """Kolada could not be reached or did not answer usefully; str() is a message for people."""


def _unavailable(reason: str) -> KoladaUnavailable:
    return KoladaUnavailable(
        _(
            "Kolada is not answering right now (%(reason)s). "
            "Try again later; nothing has been changed."
        )
        % {"reason": reason}
    )


def _batches(ids: list, size: int = MAX_IDS) -> list[str]:
    """Comma-separated path segments of at most `size` ids each."""
    ids = [quote(str(i), safe="") for i in dict.fromkeys(ids)]
    return [",".join(ids[start : start + size]) for start in range(0, len(ids), size)]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


class KoladaClient:
    def __init__(
        self,
        *,
        base_url: str = BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        requests_per_second: float = 5.0,
        max_retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.max_retries = max(0, max_retries)
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._sleep = sleep
        self._clock = clock
        self._next_request_at: float | None = None
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "KoladaClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- The catalogue ----------------------------------------------------------------------------

    def kpis(self, *, ids: list[str] | None = None, title: str | None = None) -> list[dict]:
        """Kolada's KPIs: all of them, those with the given ids, and/or those whose title contains
        the given text (Kolada's own search)."""
        params = {"title": title} if title else {}
        if ids is None:
            return list(self._pages("/kpi", params))
        return [
            row for batch in _batches(ids) for row in self._pages("/kpi", {**params, "id": batch})
        ]

    def kpi_groups(self) -> list[dict]:
        return list(self._pages("/kpi_groups"))

    def municipalities(self) -> list[dict]:
        return list(self._pages("/municipality"))

    def municipality_groups(self) -> list[dict]:
        return list(self._pages("/municipality_groups"))

    # --- Values -----------------------------------------------------------------------------------

    def data(
        self, *, kpis: list[str], years: list[int], municipalities: list[str] | None = None
    ) -> Iterator[dict]:
        """Kolada's data rows as they come: {"kpi", "municipality", "period", "values":
        [{"gender", "value", "count", "status", ...}]}. Without municipalities: every kommun,
        region and Riket."""
        years = [int(year) for year in years]
        if municipalities is None:
            for kpi, year in product(_batches(kpis), _batches(years)):
                yield from self._pages(f"/data/kpi/{kpi}/year/{year}")
            return
        for kpi, area, year in product(_batches(kpis), _batches(municipalities), _batches(years)):
            yield from self._pages(f"/data/kpi/{kpi}/municipality/{area}/year/{year}")

    def ou_data(self, *, kpis: list[str], ous: list[str], years: list[int]) -> Iterator[dict]:
        """Data rows per organisational unit (a school, a care home): {"kpi", "ou", "period",
        "values": [...]}."""
        years = [int(year) for year in years]
        for kpi, ou, year in product(_batches(kpis), _batches(ous), _batches(years)):
            yield from self._pages(f"/oudata/kpi/{kpi}/ou/{ou}/year/{year}")

    # --- Requests ---------------------------------------------------------------------------------

    def _pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every row of every page, following next_url until there is none."""
        url = self.base_url + path
        params = {**(params or {}), "per_page": PER_PAGE}
        seen = set()
        while url and url not in seen:
            seen.add(url)
            envelope = self._get(url, params)
            yield from envelope["values"]
            next_url = envelope.get("next_url")
            # next_url carries its own query string, per_page included.
            url, params = (urljoin(url, next_url), None) if next_url else (None, None)

    def _get(self, url: str, params: dict | None) -> dict:
        """One answer as JSON, after waiting for our turn, retrying what is temporary."""
        wait = 0.0
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._sleep(wait)
            self._wait_for_turn()
            try:
                response = self._http.get(url, params=params)
            except httpx.TimeoutException as error:
                logger.warning("Kolada timed out: %s %s", url, error)
                raise _unavailable(_("no answer in time")) from error
            except httpx.ConnectError as error:
                logger.warning("Kolada could not be reached: %s %s", url, error)
                raise _unavailable(_("no connection")) from error
            except httpx.TransportError as error:
                logger.warning("Kolada's connection broke: %s %s", url, error)
                reason, wait = _("the connection broke"), self._backoff(attempt)
                continue
            status = response.status_code
            if status == 429:
                reason = _("too many requests; Kolada asked us to wait")
                retry_after = _retry_after(response)
                if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    break
                wait = self._backoff(attempt) if retry_after is None else retry_after
                continue
            if status >= 500:
                logger.warning("Kolada answered %s: %s", status, url)
                reason, wait = _("error %(status)s") % {"status": status}, self._backoff(attempt)
                continue
            if status >= 400:
                logger.warning("Kolada refused %s: %s", status, url)
                raise KoladaUnavailable(
                    _(
                        "Kolada could not answer the question (error %(status)s). "
                        "Nothing has been changed."
                    )
                    % {"status": status}
                )
            return self._envelope(response)
        raise _unavailable(reason)

    def _envelope(self, response: httpx.Response) -> dict:
        try:
            envelope = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _unavailable(_("the answer could not be read")) from error
        if not isinstance(envelope, dict) or not isinstance(envelope.get("values"), list):
            raise _unavailable(_("the answer could not be read"))
        return envelope

    def _backoff(self, attempt: int) -> float:
        return BACKOFF_SECONDS * 2**attempt

    def _wait_for_turn(self) -> None:
        """Keep to about `requests_per_second`: each request starts one interval after the last."""
        now = self._clock()
        if self._next_request_at is not None and self._next_request_at > now:
            self._sleep(self._next_request_at - now)
            now = self._next_request_at
        self._next_request_at = now + self._interval
