"""The Kolada client against recorded answers in Kolada's shape, through a fake transport: it pages,
batches ids, keeps its pace, retries what is temporary and fails with a Swedish sentence. No test
touches the network, and no test waits: the clock and the sleep are fakes."""

import json
from pathlib import Path

import httpx
import pytest

from styr.kolada.client import KoladaClient, KoladaUnavailable

FIXTURES = Path(__file__).parent / "fixtures" / "client"
BASE = "https://api.kolada.se/v3"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def envelope(values: list, next_url: str | None = None) -> dict:
    return {"count": len(values), "next_url": next_url, "previous_url": None, "values": values}


class FakeTime:
    """A clock that moves only when slept on, and a record of every sleep."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Kolada:
    """A fake Kolada: answers requests from a handler and keeps every request it saw."""

    def __init__(self, handler):
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.time = FakeTime()

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def client(self, **options) -> KoladaClient:
        return KoladaClient(
            transport=httpx.MockTransport(self._handle),
            sleep=self.time.sleep,
            clock=self.time.clock,
            **options,
        )

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


def answering(*responses):
    """A handler giving these answers in turn (an exception is raised instead of answered)."""
    queue = list(responses)

    def handler(request):
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def test_data_follows_next_url_over_three_pages():
    pages = {
        None: recorded("data_page1.json"),
        "2": recorded("data_page2.json"),
        "3": recorded("data_page3.json"),
    }
    kolada = Kolada(lambda request: httpx.Response(200, json=pages[request.url.params.get("page")]))

    rows = list(
        kolada.client().data(kpis=["U23471"], municipalities=["0180"], years=[2022, 2023, 2024])
    )

    assert [row["period"] for row in rows] == [2022, 2023, 2024]
    assert rows[0] == {
        "kpi": "U23471",
        "municipality": "0180",
        "period": 2022,
        "values": [
            {"count": 1, "gender": "K", "isdeleted": False, "status": "", "value": 81.0},
            {"count": 1, "gender": "M", "isdeleted": False, "status": "", "value": 77.0},
            {"count": 1, "gender": "T", "isdeleted": False, "status": "", "value": 80.0},
        ],
    }
    assert len(kolada.requests) == 3
    assert {str(r.url.path) for r in kolada.requests} == {
        "/v3/data/kpi/U23471/municipality/0180/year/2022,2023,2024"
    }
    # The first request asks for the largest page Kolada gives.
    assert kolada.requests[0].url.params["per_page"] == "5000"
    assert [r.url.params.get("page") for r in kolada.requests] == [None, "2", "3"]


def test_thirty_kpis_go_in_two_requests_of_at_most_25():
    kolada = Kolada(lambda request: httpx.Response(200, json=envelope([])))
    kpis = [f"N{number:05d}" for number in range(30)]

    list(kolada.client().data(kpis=kpis, municipalities=["0180", "0000"], years=[2024]))

    segments = [path.split("/")[4].split(",") for path in kolada.paths()]
    assert [len(segment) for segment in segments] == [25, 5]
    assert segments[0] + segments[1] == kpis
    assert all(path.endswith("/municipality/0180,0000/year/2024") for path in kolada.paths())
    assert all(r.url.params["per_page"] == "5000" for r in kolada.requests)


def test_kpis_by_id_are_batched_and_searched_by_title():
    kolada = Kolada(lambda request: httpx.Response(200, json=recorded("kpi.json")))
    ids = [f"U{number:05d}" for number in range(30)]

    kolada.client().kpis(ids=ids, title="boende")

    assert kolada.paths() == ["/v3/kpi", "/v3/kpi"]
    assert [len(r.url.params["id"].split(",")) for r in kolada.requests] == [25, 5]
    assert {r.url.params["title"] for r in kolada.requests} == {"boende"}


def test_catalogue_endpoints():
    kolada = Kolada(lambda request: httpx.Response(200, json=envelope([{"id": "x"}])))
    client = kolada.client()

    assert client.kpis() == [{"id": "x"}]
    assert client.kpi_groups() == [{"id": "x"}]
    assert client.municipalities() == [{"id": "x"}]
    assert client.municipality_groups() == [{"id": "x"}]
    assert kolada.paths() == [
        "/v3/kpi",
        "/v3/kpi_groups",
        "/v3/municipality",
        "/v3/municipality_groups",
    ]
    assert all(r.headers["User-Agent"].startswith("Styr") for r in kolada.requests)


def test_data_for_every_municipality_and_for_organisational_units():
    kolada = Kolada(lambda request: httpx.Response(200, json=envelope([])))
    client = kolada.client()

    list(client.data(kpis=["N15428"], years=[2023, 2024]))
    list(client.ou_data(kpis=["N15428"], ous=["V15E018000101"], years=[2024]))

    assert kolada.paths() == [
        "/v3/data/kpi/N15428/year/2023,2024",
        "/v3/oudata/kpi/N15428/ou/V15E018000101/year/2024",
    ]


def test_429_waits_as_long_as_retry_after_says_then_succeeds():
    kolada = Kolada(
        answering(
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, json=recorded("kpi.json")),
        )
    )

    kpis = kolada.client().kpis(ids=["U23471"])

    assert [kpi["id"] for kpi in kpis] == ["U23471", "N15428", "N00945"]
    assert len(kolada.requests) == 2
    assert kolada.time.sleeps == [7.0]


def test_5xx_is_retried_with_growing_pauses_then_gives_up_in_swedish():
    kolada = Kolada(lambda request: httpx.Response(503, text="Service Unavailable"))

    with pytest.raises(KoladaUnavailable) as raised:
        kolada.client(max_retries=4).municipalities()

    assert len(kolada.requests) == 5
    assert kolada.time.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert str(raised.value) == (
        "Kolada svarar inte just nu (fel 503). Försök igen senare; inget har ändrats."
    )


def test_5xx_then_success_returns_the_answer():
    kolada = Kolada(
        answering(httpx.Response(500), httpx.Response(502), httpx.Response(200, json=envelope([1])))
    )

    assert kolada.client().kpi_groups() == [1]
    assert kolada.time.sleeps == [1.0, 2.0]


def test_429_asking_for_too_long_a_wait_gives_up_at_once():
    kolada = Kolada(lambda request: httpx.Response(429, headers={"Retry-After": "3600"}))

    with pytest.raises(KoladaUnavailable, match="Kolada svarar inte just nu"):
        kolada.client().kpis()

    assert len(kolada.requests) == 1
    assert kolada.time.sleeps == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "ingen anslutning"),
        (httpx.ReadTimeout("timed out"), "inget svar i tid"),
        (httpx.ConnectTimeout("timed out"), "inget svar i tid"),
    ],
)
def test_no_connection_or_timeout_is_a_swedish_message(error, reason):
    kolada = Kolada(answering(error))

    with pytest.raises(KoladaUnavailable) as raised:
        list(kolada.client().data(kpis=["U23471"], municipalities=["0180"], years=[2024]))

    assert str(raised.value) == (
        f"Kolada svarar inte just nu ({reason}). Försök igen senare; inget har ändrats."
    )


def test_an_answer_that_is_not_json_is_a_swedish_message():
    kolada = Kolada(lambda request: httpx.Response(200, text="<html>Underhåll pågår</html>"))

    with pytest.raises(KoladaUnavailable, match="svaret gick inte att läsa"):
        kolada.client().kpis()


def test_a_refused_question_is_not_retried():
    kolada = Kolada(lambda request: httpx.Response(400, json={"detail": "bad"}))

    with pytest.raises(KoladaUnavailable, match="fel 400"):
        kolada.client().kpis(ids=["nonsense"])

    assert len(kolada.requests) == 1


def test_keeps_to_five_requests_a_second():
    kolada = Kolada(lambda request: httpx.Response(200, json=envelope([])))
    client = kolada.client(requests_per_second=5.0)

    for _ in range(10):
        client.kpi_groups()

    # The first goes at once; each of the other nine waits a fifth of a second.
    assert sum(kolada.time.sleeps) == pytest.approx(1.8)
    assert len(kolada.time.sleeps) == 9


def test_no_wait_when_requests_are_already_slow():
    kolada = Kolada(lambda request: httpx.Response(200, json=envelope([])))
    client = kolada.client()

    for _ in range(3):
        client.kpi_groups()
        kolada.time.now += 1.0

    assert kolada.time.sleeps == []
