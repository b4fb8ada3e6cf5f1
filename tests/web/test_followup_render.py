"""How the follow-up screen is drawn: the rows carry the same texts, ids and addresses whether the
whole screen draws them or an htmx save draws one alone, and the work of drawing a row does not
include translating its fixed texts or working out its address twice."""

import re
from unittest import mock

import pytest
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode

from styr.governance.models import ActivityStatus
from styr.planning.models import Goal, Indicator
from styr.web.templatetags.styr_tags import followup_labels

from .test_pages import XSS, followup_url, grow

pytestmark = pytest.mark.django_db


def row_of(text: str, indicator: Indicator) -> str:
    match = re.search(rf'<tr id="row-{indicator.pk}">.*?</tr>', text, re.S)
    assert match, f"No row for {indicator.code}"
    return match.group(0)


def test_the_row_labels_are_the_swedish_texts():
    labels = followup_labels()
    assert labels["total"] == "Totalt" and labels["forecast"] == "Prognos helår"
    assert labels["save"] == "Spara" and labels["suggested"] == "Föreslagen bedömning"


def test_an_indicator_row_names_every_field_and_posts_to_its_own_address(stockholm, chef, client):
    indicator = stockholm.get(Indicator, "ROS-I2")
    indicator.name = f"Nöjdhet & trygghet {XSS}"
    indicator.gender_split = True
    indicator.save()
    row = row_of(client.get(followup_url(stockholm)).content.decode(), indicator)
    name = "Nöjdhet &amp; trygghet &lt;script&gt;alert(1)&lt;/script&gt;"
    form_id = f"indikator-{indicator.code}"
    assert XSS not in row and "&amp;amp;" not in row
    for field, label in [("T", "Totalt"), ("K", "Kvinnor"), ("M", "Män")]:
        assert (
            f'<label class="visually-hidden" for="{form_id}-{field}">{label}, {name}</label>' in row
        )
        assert f'id="{form_id}-{field}" name="{field}" form="{form_id}"' in row
    assert f'for="{form_id}-forecast">Prognos helår, {name}</label>' in row
    assert f'for="{form_id}-comment">Kommentar, {name}</label>' in row
    url = followup_url(stockholm) + f"indikator/{indicator.pk}/"
    assert (
        f'<form id="{form_id}" method="post" action="{url}" hx-post="{url}" '
        f'hx-target="#row-{indicator.pk}" hx-swap="outerHTML">' in row
    )
    assert 'name="csrfmiddlewaretoken"' in row
    assert f'Spara<span class="visually-hidden"> {name}</span>' in row
    assert " readonly" not in row


def test_a_row_without_women_and_men_shows_dashes(stockholm, chef, client):
    indicator = stockholm.get(Indicator, "ROS-I2")
    indicator.gender_split = False
    indicator.save()
    row = row_of(client.get(followup_url(stockholm)).content.decode(), indicator)
    assert row.count("<td>–</td>") == 2
    assert 'name="K"' not in row and 'name="M"' not in row and 'name="T"' in row


def test_a_reader_gets_the_rows_read_only(stockholm, django_user_model, client):
    from styr.organisation.models import OrgUnit, Role, RoleGrant

    reader = django_user_model.objects.create_user("lasare")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=reader,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SOD-ROSENLUND"),
        role=Role.READER,
    )
    client.force_login(reader)
    indicator = stockholm.get(Indicator, "ROS-I2")
    row = row_of(client.get(followup_url(stockholm)).content.decode(), indicator)
    assert row.count(" readonly") == (4 if indicator.gender_split else 2) + 1
    assert "<form" not in row and "Totalt, " in row


def test_rows_drawn_alone_carry_the_same_texts(stockholm, chef, client):
    """An htmx save draws its row without the screen; the row then translates its texts itself."""
    indicator = stockholm.get(Indicator, "ROS-I2")
    url = followup_url(stockholm)
    row = client.post(url + f"indikator/{indicator.pk}/", {"T": "85,5"}, HTTP_HX_REQUEST="true")
    text = row.content.decode()
    assert row.status_code == 200 and "Sparat" in text
    assert row_of(text, indicator).count("Totalt, ") == 1 and "Prognos helår, " in text
    assert f'action="{url}indikator/{indicator.pk}/" hx-post="{url}indikator/{indicator.pk}/"' in (
        text
    )
    goal = stockholm.get(Goal, "ROS-2")
    scale = {v.key: v.pk for v in goal.level.model.assessment_values.all()}
    form = client.post(
        url + f"mal/{goal.pk}/",
        {"value": scale["delvis"], "analysis": "Delvis.", "motivation": "Bedömt."},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    for label in ("Analys", "Vad", "Vem"):
        assert f">{label}</label>" in form
    assert "<strong>Föreslagen bedömning:</strong>" in form and "<legend>Bedömning</legend>" in form
    assert ">Spara bedömningen</button>" in form
    assert f'action="{url}mal/{goal.pk}/" hx-post="{url}mal/{goal.pk}/"' in form
    page = client.get(url).content.decode()
    activity = re.search(r'<tr id="activity-(\d+)">', page).group(1)
    status = ActivityStatus.objects.filter(
        municipality=stockholm.municipality, is_deviation=False
    ).first()
    drawn = client.post(
        url + f"aktivitet/{activity}/",
        {"status": status.pk, "comment": "Enligt plan."},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert drawn.count(f'<tr id="activity-{activity}">') == 1 and "Sparat" in drawn
    assert f'for="status-{activity}">Status</label>' in drawn
    assert f'for="comment-{activity}">Kommentar (krävs vid avvikelse)</label>' in drawn


def drawing(client, url) -> tuple[int, int]:
    """How many {% translate %} and {% url %} tags drawing the page renders."""
    with (
        mock.patch.object(
            TranslateNode, "render", autospec=True, side_effect=TranslateNode.render
        ) as translate,
        mock.patch.object(URLNode, "render", autospec=True, side_effect=URLNode.render) as url_tag,
    ):
        assert client.get(url).status_code == 200
    return translate.call_count, url_tag.call_count


ROWS = re.compile(r'<tr id="(?:row|activity)-|<article class="ds-card" id="(goal)-')


def rows_and_goals(client, url) -> tuple[int, int]:
    found = ROWS.findall(client.get(url).content.decode())
    return len(found), found.count("goal")


def test_drawing_the_screen_translates_no_row_and_reverses_each_address_once(
    stockholm, chef, client
):
    url = followup_url(stockholm)
    grow(stockholm, 1, "S")
    rows, goals = rows_and_goals(client, url)
    translated, reversed_ = drawing(client, url)
    grow(stockholm, 6, "B")
    more_rows, more_goals = rows_and_goals(client, url)
    more_translated, more_reversed = drawing(client, url)
    assert more_rows > rows and more_goals > goals
    assert more_translated == translated
    # One address per row for its form; a goal also links to its page.
    assert more_reversed - reversed_ == (more_rows - rows) + (more_goals - goals)
