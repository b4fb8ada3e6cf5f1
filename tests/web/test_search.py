"""Search: finds what the person may see, in any letter case, grouped by kind, with a fixed
number of queries however much matches."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.planning.models import Activity, Goal, Indicator


def search(client, query: str) -> str:
    response = client.get("/sok/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_goals_in_any_letter_case_with_swedish_letters(stockholm, chef, client):
    goal = stockholm.get(Goal, "SOD-NM-2")  # "Äldre i stadsdelen upplever trygghet …"
    for query in ("äldre i stadsdelen", "ÄLDRE I STADSDELEN", "Äldre"):
        text = search(client, query)
        assert f'href="/mal/{goal.pk}/"' in text, query
    text = search(client, "ANHÖRIGA")
    assert "Förbättrad uppföljningsdialog med de anhöriga" in text
    assert "Nämndmål" in text and "Södermalms stadsdelsnämnd" in text and "2026" in text


def test_search_by_code_links_an_indicator_and_an_activity_to_their_goal(stockholm, chef, client):
    indicator = stockholm.get(Indicator, "ROS-I2")
    text = search(client, "ros-i2")
    assert f'href="/mal/{stockholm.get(Goal, "ROS-2").pk}/#indicator-{indicator.pk}"' in text
    assert "Indikatorer (1)" in text and "Mål (0)" in text
    activity = stockholm.get(Activity, "ROS-A1")
    text = search(client, "anhörigträffen")
    assert f'href="/mal/{stockholm.get(Goal, "ROS-1").pk}/#activity-{activity.pk}"' in text
    assert "Aktiviteter (1)" in text


def test_every_word_must_match_in_some_field(stockholm, chef, client):
    text = search(client, "genomförandeplan delaktig")
    assert "Varje boende har en aktuell genomförandeplan" in text
    text = search(client, "genomförandeplan fotboll")
    assert "Varje boende har en aktuell genomförandeplan" not in text
    assert "Inget matchade" in text


def test_search_shows_only_what_the_person_may_see(stockholm, chef, client):
    # Hägersten-Älvsjö is another nämnd: nothing of it is shown to a chef at Rosenlund.
    text = search(client, "Hägersten")
    assert "Hemtjänsten i Hägersten-Älvsjö ger trygghet" not in text
    assert "Inget matchade" in text


def test_an_empty_or_one_letter_query_gets_a_helpful_message(stockholm, chef, client):
    assert "Skriv ett ord eller en kod att söka efter." in search(client, "")
    assert "Skriv minst 2 tecken" in search(client, "å")


def test_the_header_has_a_search_field(stockholm, chef, client):
    text = client.get("/").content.decode()
    assert '<form role="search"' in text and 'for="site-search"' in text


def test_many_hits_are_limited_and_counted_in_a_fixed_number_of_queries(stockholm, chef, client):
    goal = stockholm.get(Goal, "ROS-1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            search(client, "målbild")
        return len(captured)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            Goal.objects.create(
                municipality=stockholm.municipality,
                code=f"MB-{i}",
                level=goal.level,
                unit=goal.unit,
                title=f"Målbild nummer {i}",
                valid_from=goal.valid_from,
                valid_to=goal.valid_to,
            )

    add(3, 0)
    few = queries()
    add(60, 3)
    assert queries() == few
    text = search(client, "MÅLBILD")
    assert "Mål (63)" in text
    assert "Visar de första 50 av 63" in text
    assert text.count('href="/mal/') >= 50
