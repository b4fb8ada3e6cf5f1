"""The admin a controller uses: every page opens, choices are tree-aware, bad input is refused."""

import pytest
from django.contrib import admin
from django.urls import reverse

from styr.governance.services import governance_model_load
from styr.organisation.models import OrgUnit
from styr.planning.models import Goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(example_text):
    return governance_model_load(name="exempel.yaml", text=example_text).municipality


@pytest.fixture
def controller(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "kontroller", "k@example.org", "hemligt-lösen-1"
    )
    client.force_login(user)
    return client


STYR_MODELS = [
    m
    for m in admin.site._registry
    if m._meta.app_label in {"organisation", "governance", "planning"}
]


@pytest.mark.parametrize("model", STYR_MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_opens(controller, loaded, model):
    opts = model._meta
    changelist = controller.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    assert (
        controller.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    )
    obj = model.objects.first()
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert controller.get(change_url).status_code == 200


def test_search_and_filters_work(controller, loaded):
    url = reverse("admin:planning_goal_changelist")
    page = controller.get(url, {"q": "behöriga"})
    assert "Fler elever är behöriga till gymnasieskolan" in page.content.decode()
    assert "Alla elever får stöd i tid" not in page.content.decode()


def test_the_admin_speaks_swedish(controller, loaded):
    page = controller.get(reverse("admin:planning_goal_changelist")).content.decode()
    assert "Mål" in page and "Målnivå" in page


def test_units_are_chosen_from_the_tree(controller, loaded):
    page = controller.get(reverse("admin:planning_goal_add")).content.decode()
    assert '<optgroup label="Ale kommun">' in page
    assert "\u2003\u2003\u2003Nödingeskolan (SKOLA-1)" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, loaded):
    response = client.get(reverse("admin:planning_goal_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_signed_in_user_without_admin_rights_is_refused(client, django_user_model, loaded):
    client.force_login(django_user_model.objects.create_user("läsare", password="x-lösen-123"))
    response = client.get(reverse("admin:planning_goal_changelist"))
    assert response.status_code == 302


def test_a_unit_ending_before_it_starts_is_refused_with_a_message(controller, loaded):
    kf = OrgUnit.objects.get(code="KF")
    response = controller.post(
        reverse("admin:organisation_orgunit_add"),
        {
            "municipality": loaded.pk,
            "code": "NY",
            "name": "Ny enhet",
            "type": kf.type.pk,
            "parent": kf.pk,
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "Slutdatum" in response.content.decode() or "slutdatum" in response.content.decode()
    assert not OrgUnit.objects.filter(code="NY").exists()


def test_a_goal_owned_by_the_wrong_unit_type_is_refused(controller, loaded):
    goal = Goal.objects.get(code="SKOLA-1-1")
    url = reverse("admin:planning_goal_change", args=[goal.pk])
    form = {
        "municipality": loaded.pk,
        "code": goal.code,
        "level": goal.level.pk,
        "unit": OrgUnit.objects.get(code="BUN").pk,
        "title": goal.title,
        "description": "",
        "texts": "{}",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "status": "active",
    }
    for prefix in ("parent_links", "GoalFocusArea_set", "GoalDirectedTo_set", "IndicatorGoal_set"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = controller.post(url, form)
    assert response.status_code == 200
    assert "kan inte ägas av" in response.content.decode()
    goal.refresh_from_db()
    assert goal.unit.code == "SKOLA-1"


def test_the_styrmodell_file_is_edited_in_the_admin(controller, loaded, example_text):
    from styr.governance.models import GovernanceModel

    model = GovernanceModel.objects.get(municipality=loaded)
    url = reverse("admin:governance_governancemodel_change", args=[model.pk])
    revised = example_text.replace("Alla elever får stöd i tid", "Alla elever får rätt stöd i tid")
    response = controller.post(url, {"source_text": revised})
    assert response.status_code == 302
    assert Goal.objects.get(code="SKOLA-1-1").title == "Alla elever får rätt stöd i tid"


def test_a_broken_styrmodell_file_in_the_admin_changes_nothing(controller, loaded, example_text):
    from styr.governance.models import GovernanceModel

    model = GovernanceModel.objects.get(municipality=loaded)
    url = reverse("admin:governance_governancemodel_change", args=[model.pk])
    broken = example_text.replace("parents: [kf_mal]", "parents: [nope]").replace(
        "Alla elever får stöd i tid", "Ändrad titel"
    )
    response = controller.post(url, {"source_text": broken})
    assert response.status_code == 200
    assert "styrmodell.yaml:" in response.content.decode()
    assert "goal_levels[1].parents[0]" in response.content.decode()
    assert not Goal.objects.filter(title="Ändrad titel").exists()


def test_a_file_for_another_municipality_is_refused_in_the_admin(controller, loaded, example_text):
    from styr.governance.models import GovernanceModel

    model = GovernanceModel.objects.get(municipality=loaded)
    url = reverse("admin:governance_governancemodel_change", args=[model.pk])
    other = example_text.replace('code: "1440"', 'code: "1441"')
    response = controller.post(url, {"source_text": other})
    assert response.status_code == 200
    assert "1441" in response.content.decode()


def test_a_new_municipality_is_added_from_its_file_in_the_admin(controller, example_text):
    response = controller.post(
        reverse("admin:governance_governancemodel_add"), {"source_text": example_text}
    )
    assert response.status_code == 302
    assert Goal.objects.filter(municipality__code="1440").count() == 3


def test_a_row_given_twice_in_an_inline_is_refused_with_a_message(controller, loaded):
    from styr.planning.models import Indicator, Target

    indicator = Indicator.objects.get(code="BUN-I1")
    url = reverse("admin:planning_indicator_change", args=[indicator.pk])
    page = controller.get(url)
    form = {k: v for k, v in _form_values(page).items()}
    targets = list(indicator.targets.order_by("pk"))
    form.update(
        {
            "targets-TOTAL_FORMS": str(len(targets) + 2),
            "targets-INITIAL_FORMS": str(len(targets)),
        }
    )
    for index in (len(targets), len(targets) + 1):
        form.update(
            {
                f"targets-{index}-kind": "milestone",
                f"targets-{index}-year": "2028",
                f"targets-{index}-value": str(90 + index),
                f"targets-{index}-change": "",
                f"targets-{index}-comment": "",
            }
        )
    response = controller.post(url, form)
    assert response.status_code == 200
    assert "mer än en gång" in response.content.decode()
    assert not Target.objects.filter(indicator=indicator, kind="milestone").exists()


def _form_values(response) -> dict:
    """The values of the change form as the browser would send them back."""
    from html.parser import HTMLParser

    values: dict[str, str] = {}

    class Form(HTMLParser):
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "checkbox"):
                values[name] = a.get("value") or ""
            elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
                values[name] = "on"
            elif tag == "select" and name:
                self.select = name
                values.setdefault(name, "")
            elif tag == "option" and self.select and "selected" in a:
                values[self.select] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    Form().feed(response.content.decode())
    textareas = __import__("re").findall(
        r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', response.content.decode(), flags=16
    )
    for name, text in textareas:
        values[name] = __import__("html").unescape(text)
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_a_goal_shows_its_levels_texts_as_labelled_boxes(controller, loaded):
    goal = Goal.objects.get(code="BUN-1")
    url = reverse("admin:planning_goal_change", args=[goal.pk])
    page = controller.get(url).content.decode()
    assert "Förväntat resultat" in page
    assert "Andelen behöriga elever i årskurs 9 ökar" in page
    form = _form_values(controller.get(url))
    form["text_forvantat_resultat"] = "Minst 90 procent är behöriga."
    assert controller.post(url, form).status_code == 302
    goal.refresh_from_db()
    assert goal.texts == {"forvantat_resultat": "Minst 90 procent är behöriga."}
    form["text_forvantat_resultat"] = ""
    response = controller.post(url, form)
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.texts == {"forvantat_resultat": "Minst 90 procent är behöriga."}
