"""Documents made in the background: ordered on the unit's Dokument page, made by the worker
(`styr db_worker`) with its progress shown, kept and downloaded; an adopted plan or report kept
as the decided version; refused to those who may not read the unit."""

import datetime
import io
import signal
from unittest import mock

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from styr.organisation.models import OrgUnit, Role, RoleGrant
from styr.reports.models import ReportDocument
from styr.workflow.models import Submission
from styr.workflow.services import submission_adopt

ROSENLUND = "Rosenlunds vård- och omsorgsboende"


def run_worker():
    """What `styr db_worker` does, until the queue is empty (the worker sets its own signal
    handlers: the test's are given back). The worker closes a connection that is inside a
    transaction, as a test's is; on PostgreSQL that would end the test's transaction."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def signed_in(client, preset, code: str, django_user_model, role=Role.READER):
    user = django_user_model.objects.create_user(f"{role}-{code}")
    RoleGrant.objects.create(
        municipality=preset.municipality, user=user, unit=preset.get(OrgUnit, code), role=role
    )
    client.force_login(user)
    return user


@pytest.fixture
def reader(stockholm, client, django_user_model):
    return signed_in(client, stockholm, "SOD-ALD", django_user_model)


def order(client, unit, capture, **data):
    with capture(execute=True):
        return client.post(reverse("web:document_request", args=[unit.pk]), data)


def test_a_reader_orders_a_document_and_downloads_it(
    stockholm, reader, client, django_capture_on_commit_callbacks
):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    t1 = stockholm.period("t1")
    page = client.get(reverse("web:unit", args=[rosenlund.pk]))
    documents_url = reverse("web:documents", args=[rosenlund.pk])
    assert documents_url in page.content.decode()
    page = client.get(reverse("web:followup", args=[rosenlund.pk, t1.pk]))
    assert documents_url in page.content.decode()
    page = client.get(documents_url)
    assert "Inga dokument ännu." in page.content.decode()
    assert "Tertialrapport 1 2026" in page.content.decode()  # among the reports to order

    response = order(
        client, rosenlund, django_capture_on_commit_callbacks, report=t1.pk, format="docx"
    )
    assert response.status_code == 302
    assert response["Location"] == documents_url
    document = ReportDocument.objects.get()
    assert (document.state, document.unit, document.period, document.format) == (
        "queued",
        rosenlund,
        t1,
        "docx",
    )
    assert document.requested_by == reader
    assert not document.decided
    # The same order again while the first waits: the first, not a second.
    order(client, rosenlund, django_capture_on_commit_callbacks, report=t1.pk, format="docx")
    assert ReportDocument.objects.count() == 1

    page = client.get(documents_url).content.decode()
    assert "Dokumentet är beställt." in page
    assert f'<progress id="progress-{document.pk}" max="100" value="0"' in page
    status_url = reverse("web:document_status", args=[document.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page

    run_worker()

    document.refresh_from_db()
    assert (document.state, document.progress, document.error) == ("done", 100, "")
    assert document.file_name == f"Tertialrapport 1 2026 {ROSENLUND}.docx"
    # The row's last answer to the page: finished, with the file, and no more polling.
    row = client.get(status_url).content.decode()
    assert "Klar" in row and "<progress" not in row and "hx-trigger" not in row
    download_url = reverse("web:document_download", args=[document.pk])
    assert download_url in row

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Tertialrapport%201%202026%20Rosenlunds%20v%C3%A5rd" in disposition
    opened = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in opened.paragraphs)
    assert "Tertialrapport 1 2026" in text and ROSENLUND in text


def test_the_page_shows_the_step_while_the_document_is_made(
    stockholm, reader, client, django_capture_on_commit_callbacks, monkeypatch
):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    order(client, rosenlund, django_capture_on_commit_callbacks, report="plan-2026", format="pdf")
    document = ReportDocument.objects.get()
    status_url = reverse("web:document_status", args=[document.pk])
    seen = []

    from styr.reports import tasks

    real = tasks.report_document

    def watched(*, progress, **kwargs):
        def watching(per_cent, step):
            progress(per_cent, step)
            seen.append(client.get(status_url).content.decode())

        return real(progress=watching, **kwargs)

    monkeypatch.setattr(tasks, "report_document", watched)
    run_worker()

    # Each step was on the row while the work went on, with its progress bar, still polling.
    assert any("Skapas: Hämtar uppgifterna" in row for row in seen), seen[0]
    assert all("<progress" in row and 'hx-trigger="every 2s"' in row for row in seen)
    assert 'value="30"' in seen[1]
    document.refresh_from_db()
    assert document.state == "done" and document.format == "pdf" and document.period is None
    response = client.get(reverse("web:document_download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert ROSENLUND in " ".join(" ".join(p.extract_text() for p in pdf.pages).split())


def test_a_failing_document_says_so_in_swedish(
    stockholm, reader, client, django_capture_on_commit_callbacks, monkeypatch
):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    order(client, rosenlund, django_capture_on_commit_callbacks, report="plan-2026", format="docx")

    def broken(**kwargs):
        raise RuntimeError("the renderer broke")

    from styr.reports import tasks

    monkeypatch.setattr(tasks, "report_document", broken)
    run_worker()

    document = ReportDocument.objects.get()
    assert document.state == "failed"
    assert document.error.startswith("Dokumentet kunde inte skapas.")
    page = client.get(reverse("web:documents", args=[rosenlund.pk])).content.decode()
    assert "Misslyckades: Dokumentet kunde inte skapas." in page
    assert "RuntimeError" not in page and "the renderer broke" not in page
    assert client.get(reverse("web:document_download", args=[document.pk])).status_code == 404
    # Ordered again, it is made anew (the failed one is not waited for).
    order(client, rosenlund, django_capture_on_commit_callbacks, report="plan-2026", format="docx")
    assert ReportDocument.objects.count() == 2


def test_who_may_not_read_gets_nothing(
    stockholm, reader, client, django_user_model, django_capture_on_commit_callbacks
):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    above = stockholm.get(OrgUnit, "SDN-SOD")
    department = stockholm.get(OrgUnit, "SOD-ALD")
    # The nämnd above is visible (the röda tråd), but not all of its units: its own report
    # only, as with the direct download.
    response = order(
        client,
        above,
        django_capture_on_commit_callbacks,
        report="plan-2026",
        format="pdf",
        consolidated="on",
    )
    assert response.status_code == 403
    assert not ReportDocument.objects.exists()
    response = order(
        client,
        department,
        django_capture_on_commit_callbacks,
        report="plan-2026",
        format="pdf",
        consolidated="on",
    )
    assert response.status_code == 302
    mine = ReportDocument.objects.get()
    assert mine.consolidated
    # Someone else's consolidated report of the nämnd stays hidden from this reader.
    theirs = ReportDocument.objects.create(
        municipality=stockholm.municipality,
        unit=above,
        year=2026,
        format="pdf",
        consolidated=True,
        state=ReportDocument.State.DONE,
        file_name="Plan 2026 Södermalm.pdf",
        content_type="application/pdf",
        content=b"%PDF-",
    )
    assert (
        "Plan 2026 Södermalm.pdf"
        not in client.get(reverse("web:documents", args=[above.pk])).content.decode()
    )
    assert client.get(reverse("web:document_download", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("web:document_status", args=[theirs.pk])).status_code == 403

    # Another branch: the unit and its documents are not there at all.
    signed_in(client, stockholm, "SDN-HAL", django_user_model)
    for url in (
        reverse("web:documents", args=[rosenlund.pk]),
        reverse("web:document_status", args=[mine.pk]),
        reverse("web:document_download", args=[mine.pk]),
    ):
        assert client.get(url).status_code == 404
    response = order(
        client, rosenlund, django_capture_on_commit_callbacks, report="plan-2026", format="pdf"
    )
    assert response.status_code == 404
    # Bad input: a clear answer, nothing ordered.
    signed_in(client, stockholm, "SOD-ALD", django_user_model, role=Role.REPORTER)
    response = order(
        client, rosenlund, django_capture_on_commit_callbacks, report="plan-1999", format="odt"
    )
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert ReportDocument.objects.count() == 2


def test_an_adopted_plan_and_report_are_kept_as_decided(
    stockholm, client, django_user_model, django_capture_on_commit_callbacks
):
    rosenlund = stockholm.get(OrgUnit, "SOD-ROSENLUND")
    t1 = stockholm.period("t1")
    secretary = signed_in(client, stockholm, "SDN-SOD", django_user_model, Role.ADMINISTRATOR)
    plan = Submission.objects.create(
        municipality=stockholm.municipality,
        unit=rosenlund,
        kind=Submission.Kind.PLAN,
        year=2026,
        state=Submission.State.APPROVED,
    )
    report = Submission.objects.create(
        municipality=stockholm.municipality,
        unit=rosenlund,
        kind=Submission.Kind.REPORT,
        year=2026,
        period=t1,
        state=Submission.State.APPROVED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for number, submission in enumerate((plan, report), start=1):
            submission_adopt(
                submission=submission,
                adopted_on=datetime.date(2026, 5, 20),
                reference=f"SDN § {number}",
                acting_user=secretary,
            )
    # A person's order for the same PDF is a document of its own; the decided ones stay.
    order(client, rosenlund, django_capture_on_commit_callbacks, report=t1.pk, format="pdf")
    run_worker()

    decided = ReportDocument.objects.filter(decided=True).order_by("pk")
    assert [(d.period, d.format, d.state) for d in decided] == [
        (None, "pdf", "done"),
        (t1, "pdf", "done"),
    ]
    assert ReportDocument.objects.filter(decided=False, period=t1, state="done").count() == 1
    for document, title in zip(decided, ("plan 2026", "Tertialrapport 1 2026"), strict=True):
        pdf = PdfReader(io.BytesIO(bytes(document.content)))
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
        assert title in text and ROSENLUND in text
    page = client.get(reverse("web:documents", args=[rosenlund.pk])).content.decode()
    assert page.count("Beslutad version") == 2
