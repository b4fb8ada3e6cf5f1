"""Reading outcomes, forecasts and comments from Excel or CSV: all or nothing, every bad cell named
by sheet, row and column, and the same file twice changes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from styr.followup.generate import municipality_generate
from styr.followup.models import Forecast, Measurement, ReportingPeriod
from styr.followup.services import measurement_report
from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.planning.models import Indicator
from styr.reports.excel import import_template_xlsx
from styr.reports.import_benchmark import import_benchmark
from styr.reports.imports import ImportRejected, outcomes_import

HEADERS = ["Enhet", "Indikator", "Kön", "Utfall", "Prognos", "Kommentar"]


def xlsx(rows, headers=HEADERS, title="Utfall") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def history_rows() -> int:
    return Measurement.history.count() + Forecast.history.count()


def run(stockholm, data, name="utfall.xlsx", period="t1", **kwargs):
    return outcomes_import(
        municipality=stockholm.municipality,
        period=stockholm.period(period),
        file_name=name,
        data=data,
        **kwargs,
    )


GOOD = [
    ["SDN-SOD", "SOD-I1", "T", 80.5, 83, "Fler svar än förra året."],
    ["SDN-SOD", "SOD-I1", "K", 82, None, None],
    ["SDN-SOD", "SOD-I1", "M", 77, None, None],
    ["SDN-SOD", "SOD-I6", "", "-1,5", None, None],
]


def test_a_file_imports_and_the_same_file_again_changes_nothing(stockholm):
    summary = run(stockholm, xlsx(GOOD))
    assert (summary.rows, summary.created, summary.changed, summary.unchanged) == (4, 5, 0, 0)
    share = stockholm.get(Indicator, "SOD-I1")
    values = dict(Measurement.objects.filter(indicator=share).values_list("gender", "value"))
    assert values == {"T": Decimal("80.5"), "K": Decimal(82), "M": Decimal(77)}
    forecast = Forecast.objects.get(indicator=share)
    assert forecast.value == Decimal(83) and forecast.comment == "Fler svar än förra året."
    budget = Measurement.objects.get(indicator=stockholm.get(Indicator, "SOD-I6"))
    assert budget.value == Decimal("-1.5") and budget.source == Measurement.Source.IMPORT
    assert Measurement.history.filter(history_type="+").count() == 4

    before = history_rows()
    again = run(stockholm, xlsx(GOOD))
    assert (again.created, again.changed, again.unchanged) == (0, 0, 5)
    assert history_rows() == before
    assert "0 nya värden, 0 ändrade, 5 oförändrade" in str(again)


def test_a_changed_value_is_written_with_its_history_and_version(stockholm, django_user_model):
    user = django_user_model.objects.create_user("rapportor")
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD"),
        role=Role.REPORTER,
    )
    run(stockholm, xlsx(GOOD))
    changed = [list(r) for r in GOOD]
    changed[3][3] = 2
    summary = run(stockholm, xlsx(changed), acting_user=user)
    assert (summary.created, summary.changed, summary.unchanged) == (0, 1, 4)
    budget = Measurement.objects.get(indicator=stockholm.get(Indicator, "SOD-I6"))
    assert budget.value == 2 and budget.version == 2 and budget.reported_by == user
    latest = budget.history.order_by("-history_date", "-pk").first()
    assert latest.history_type == "~" and latest.history_user == user and latest.value == 2


def test_a_bad_file_changes_nothing_and_names_every_bad_cell(stockholm):
    run(stockholm, xlsx(GOOD[3:]))
    before = history_rows()
    rows = [
        ["SDN-SOD", "SOD-I1", "T", "åttio", None, None],  # row 2: not a number
        ["SDN-SOD", "SOD-I6", "K", 3, None, None],  # row 3: not split by gender
        ["NOPE", "SOD-I2", "T", "3x", None, None],  # row 4: unknown unit, not a number
        ["SOD-ALD", "SOD-I2", "T", 3, None, None],  # row 5: indicator of another unit
        ["SDN-SOD", "SOD-I9", "T", 3, None, None],  # row 6: unknown indicator
        ["SDN-SOD", "SOD-I4", "X", 3, None, None],  # row 7: not a gender
        ["SDN-SOD", "SOD-I4", "T", 3, "mycket", None],  # row 8: forecast not a number
        ["SDN-SOD", "SOD-I4", "T", 4, None, None],  # row 9: the same key as row 8
        ["SDN-SOD", "SOD-I6", "T", 99, None, None],  # row 10: fine on its own
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, xlsx(rows))
    found = {(p.sheet, p.row, p.column, p.header) for p in rejected.value.problems}
    assert found == {
        ("Utfall", 2, "D", "Utfall"),
        ("Utfall", 3, "C", "Kön"),
        ("Utfall", 4, "A", "Enhet"),
        ("Utfall", 4, "D", "Utfall"),
        ("Utfall", 5, "B", "Indikator"),
        ("Utfall", 6, "B", "Indikator"),
        ("Utfall", 7, "C", "Kön"),
        ("Utfall", 8, "E", "Prognos"),
        ("Utfall", 9, "B", "Indikator"),
    }
    text = "\n".join(str(p) for p in rejected.value.problems)
    assert "Blad Utfall, rad 2, kolumn D (Utfall): Skriv ett tal" in text
    assert "inte uppdelad på kön" in text and "finns redan på rad 8" in text
    assert "Ingen enhet har koden NOPE" in text
    assert Measurement.objects.get().value == Decimal("-1.5")
    assert history_rows() == before and not Forecast.objects.exists()


def test_csv_with_semicolons_decimal_commas_and_a_bom(stockholm):
    text = (
        "Enhet;Indikator;Indikatorns namn;Kön;Årsmål;Utfall;Prognos;Kommentar\r\n"
        "SDN-SOD;SOD-I1;Andel nöjda anhöriga;T;85;80,5;83,25;Svaren ökade, särskilt bland män\r\n"
        "SDN-SOD;SOD-I1;Andel nöjda anhöriga;K;;82;;\r\n"
        ";;;;;;;\r\n"
        "SDN-SOD;SOD-I6;Budgetavvikelse;;;-1,5;;\r\n"
    )
    summary = run(stockholm, text.encode("utf-8-sig"), name="utfall.csv")
    assert (summary.rows, summary.created) == (3, 4)
    forecast = Forecast.objects.get()
    assert forecast.value == Decimal("83.25")
    assert forecast.comment == "Svaren ökade, särskilt bland män"
    bad = text.replace("-1,5", "1,2,3").encode("utf-8")
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, bad, name="utfall.csv")
    assert [str(p) for p in rejected.value.problems] == [
        "Fil utfall.csv, rad 5, kolumn F (Utfall): Skriv ett tal, till exempel 12,5."
    ]


def test_the_additive_total_must_agree_with_women_and_men(stockholm):
    indicator = stockholm.get(Indicator, "SOD-I2")
    indicator.gender_split = indicator.additive = True
    indicator.save()
    rows = [
        ["SDN-SOD", "SOD-I2", "T", 13, None, None],
        ["SDN-SOD", "SOD-I2", "K", 7, None, None],
        ["SDN-SOD", "SOD-I2", "M", 5, None, None],
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, xlsx(rows))
    (problem,) = rejected.value.problems
    assert (problem.row, problem.column) == (2, "D") and "kvinnor plus män (12)" in problem.message
    rows[0][3] = None
    run(stockholm, xlsx(rows))
    total = Measurement.objects.get(indicator=indicator, gender="T")
    assert total.value == 12 and total.source == Measurement.Source.DERIVED


def test_a_person_without_report_rights_is_refused(stockholm, django_user_model):
    reader = django_user_model.objects.create_user("lasare")
    elsewhere = django_user_model.objects.create_user("annan")
    sod = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    RoleGrant.objects.create(
        municipality=stockholm.municipality, user=reader, unit=sod, role=Role.READER
    )
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=elsewhere,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-HAL"),
        role=Role.REPORTER,
    )
    for user in (reader, elsewhere):
        with pytest.raises(ImportRejected) as rejected:
            run(stockholm, xlsx(GOOD), acting_user=user)
        rows = {p.row for p in rejected.value.problems}
        assert rows == {2, 5}  # the first row of each indicator
        assert all("får inte" in p.message for p in rejected.value.problems)
    assert not Measurement.objects.exists()


def test_a_closed_period_takes_no_import(stockholm):
    period = stockholm.period("t1")
    period.state = ReportingPeriod.State.CLOSED
    period.save()
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, xlsx(GOOD))
    assert "är stängd" in str(rejected.value.problems[0])
    assert not Measurement.objects.exists()


def test_a_file_without_the_needed_columns_or_not_a_workbook(stockholm):
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, xlsx([["SDN-SOD", "SOD-I6"]], headers=["Enhet", "Indikator"]))
    assert "saknar kolumnerna Utfall" in str(rejected.value.problems[0])
    with pytest.raises(ImportRejected) as rejected:
        run(stockholm, b"not a workbook")
    assert "inte en Excelfil" in str(rejected.value.problems[0])


def test_the_template_round_trip_changes_nothing(stockholm):
    share = stockholm.get(Indicator, "SOD-I1")
    measurement_report(
        indicator=share,
        period=stockholm.period("t1"),
        values={"T": "80,5", "K": 82, "M": 77},
        forecast="83",
        comment="Fler svar.",
    )
    unit = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    template = import_template_xlsx(unit=unit, period=stockholm.period("t1"))
    before = history_rows()
    summary = run(stockholm, template, name="mall.xlsx")
    assert (summary.created, summary.changed, summary.unchanged) == (0, 0, 4)
    assert history_rows() == before

    # Filled in by a person, then read back.
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Utfall"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(headers, row, strict=True))
        if cells["Indikator"].value == "SOD-I6":
            cells["Utfall"].value = 4.25
            cells["Prognos"].value = 3
            cells["Kommentar"].value = "Högre kostnader för vikarier."
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = run(stockholm, buffer.getvalue(), name="mall.xlsx")
    assert (summary.created, summary.changed, summary.unchanged) == (2, 0, 4)
    budget = stockholm.get(Indicator, "SOD-I6")
    assert Measurement.objects.get(indicator=budget).value == Decimal("4.25")
    assert Forecast.objects.get(indicator=budget).comment == "Högre kostnader för vikarier."


def test_the_command_prints_every_problem_and_fails(stockholm, tmp_path, capsys):
    path = tmp_path / "utfall.xlsx"
    path.write_bytes(xlsx([*GOOD[:3], ["SDN-SOD", "SOD-I6", "T", "tre", None, None]]))
    arguments = ["--municipality", "0180", "--period", "t1", "--year", "2026", str(path)]
    with pytest.raises(CommandError) as failed:
        call_command("import_outcomes", *arguments)
    assert "filen lästes inte in och ingenting ändrades" in str(failed.value)
    assert "Blad Utfall, rad 5, kolumn D (Utfall): Skriv ett tal" in capsys.readouterr().err
    assert not Measurement.objects.exists()
    path.write_bytes(xlsx(GOOD))
    call_command("import_outcomes", *arguments)
    assert "5 nya värden" in capsys.readouterr().out
    assert Measurement.objects.count() == 4


# --- On the follow-up page -------------------------------------------------------------------


def signed_in(stockholm, django_user_model, client, role):
    user = django_user_model.objects.create_user(role)
    RoleGrant.objects.create(
        municipality=stockholm.municipality,
        user=user,
        unit=OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD"),
        role=role,
    )
    client.force_login(user)
    return user


def urls(stockholm):
    sod = OrgUnit.objects.get(municipality=stockholm.municipality, code="SDN-SOD")
    base = f"/uppfoljning/{sod.pk}/{stockholm.period('t1').pk}/"
    return base, f"{base}mall.xlsx", f"{base}las-in/"


def upload(data, name="utfall.xlsx"):
    return {"file": SimpleUploadedFile(name, data)}


def test_a_reporter_downloads_the_template_and_reads_it_in(stockholm, django_user_model, client):
    user = signed_in(stockholm, django_user_model, client, Role.REPORTER)
    page, template_url, import_url = urls(stockholm)
    screen = client.get(page).content.decode()
    assert "Ladda ned mall för import (Excel)" in screen
    assert "Läs in utfall från Excel eller CSV" in screen
    template = client.get(template_url)
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert "attachment" in template["Content-Disposition"]
    load_workbook(io.BytesIO(template.content))  # opens
    done = client.post(import_url, upload(xlsx(GOOD)))
    text = done.content.decode()
    assert done.status_code == 200 and "5 nya värden" in text
    assert Measurement.objects.filter(reported_by=user).count() == 4


def test_a_bad_upload_shows_every_problem_in_a_table(stockholm, django_user_model, client):
    signed_in(stockholm, django_user_model, client, Role.REPORTER)
    _page, _template, import_url = urls(stockholm)
    rows = [["SDN-SOD", "SOD-I1", "T", "åttio", None, None], ["SDN-SOD", "SOD-I6", "K", 1]]
    refused = client.post(import_url, upload(xlsx(rows)))
    text = refused.content.decode()
    assert refused.status_code == 422
    assert "har 2 fel och lästes inte in" in text and "<caption" in text
    assert "<td>D (Utfall)</td>" in text and "<td>C (Kön)</td>" in text
    assert not Measurement.objects.exists()
    wrong_type = client.post(import_url, upload(b"x", name="utfall.pdf"))
    assert wrong_type.status_code == 422 and "Välj en Excelfil" in wrong_type.content.decode()


def test_a_reader_may_neither_download_nor_read_in(stockholm, django_user_model, client):
    signed_in(stockholm, django_user_model, client, Role.READER)
    page, template_url, import_url = urls(stockholm)
    assert "Läs in utfall" not in client.get(page).content.decode()
    assert client.get(template_url).status_code == 403
    assert client.post(import_url, upload(xlsx(GOOD))).status_code == 403
    assert not Measurement.objects.exists()


def test_the_benchmark_reads_a_generated_file_and_keeps_nothing(db):
    made = municipality_generate(scale="tiny", seed=1, code="9999")
    period = ReportingPeriod.objects.filter(municipality=made.municipality).first()
    before = Measurement.objects.count(), history_rows()
    result = import_benchmark(municipality=made.municipality, period=period, rows=40)
    assert result.rows == 40 and result.first.summary.created + result.first.summary.changed > 0
    assert (result.again.summary.created, result.again.summary.changed) == (0, 0)
    assert (Measurement.objects.count(), history_rows()) == before
