from django.urls import path

from styr.economy import views as economy
from styr.internal_control import views as internal_control

from .views import (
    configuration,
    documents,
    followup,
    imports,
    kolada,
    open_data,
    overall,
    pages,
    planning,
    public,
    report_texts,
    reports,
    search,
    submissions,
    theme,
    year_wheel,
)

app_name = "web"

urlpatterns = [
    path("roda-traden/", pages.red_thread, name="red_thread"),
    path("roda-traden/gren/<int:goal_pk>/", pages.red_thread_branch, name="red_thread_branch"),
    path("mal/<int:pk>/", pages.goal, name="goal"),
    path("kolada/indikator/<int:pk>/", kolada.kolada_indicator, name="kolada_indicator"),
    path("enheter/<int:pk>/", pages.unit, name="unit"),
    path("oversikt/", pages.overview, name="overview"),
    path("inlamningar/<int:pk>/", submissions.submission, name="submission"),
    path(
        "inlamningar/<int:pk>/<str:step>/",
        submissions.submission_step,
        name="submission_step",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/lamna-in/",
        submissions.followup_hand_in,
        name="followup_hand_in",
    ),
    path("arshjul/", year_wheel.year_wheel, name="year_wheel"),
    path("samlad-bedomning/<int:period_pk>/", overall.overall, name="overall"),
    path("uppfoljning/<int:unit_pk>/<int:period_pk>/", followup.followup, name="followup"),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/indikator/<int:indicator_pk>/",
        followup.followup_indicator,
        name="followup_indicator",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/aktivitet/<int:activity_pk>/",
        followup.followup_activity,
        name="followup_activity",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/mal/<int:goal_pk>/",
        followup.followup_goal,
        name="followup_goal",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/mall.xlsx",
        imports.import_template,
        name="import_template",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/las-in/",
        imports.import_outcomes,
        name="import_outcomes",
    ),
    path("ekonomi/las-in/", economy.economy_import, name="economy_import"),
    path("ekonomi/<int:unit_pk>/<int:year>/", economy.economy, name="economy"),
    path("kommun/<str:code>/logotyp/", theme.logo, name="logo"),
    path("rapporter/<int:unit_pk>/<int:year>/", reports.report, name="report"),
    path(
        "rapporter/<int:unit_pk>/<int:year>/texter/",
        report_texts.report_texts,
        name="report_texts",
    ),
    path("rapporter/<int:unit_pk>/dokument/", documents.documents, name="documents"),
    path(
        "rapporter/<int:unit_pk>/dokument/bestall/",
        documents.document_request,
        name="document_request",
    ),
    path("rapporter/dokument/<int:pk>/", documents.document_status, name="document_status"),
    path(
        "rapporter/dokument/<int:pk>/hamta/", documents.document_download, name="document_download"
    ),
    path("sok/", search.search, name="search"),
    path("insyn/<str:code>/", public.home, name="public_home"),
    path("insyn/<str:code>/enheter/<int:pk>/<int:year>/", public.unit, name="public_unit"),
    path("insyn/<str:code>/mal/<int:pk>/", public.goal, name="public_goal"),
    path(
        "insyn/<str:code>/uppfoljning/<int:unit_pk>/<int:period_pk>/",
        public.followup,
        name="public_followup",
    ),
    path("insyn/<str:code>/data/", open_data.index, name="public_data"),
    path(
        "insyn/<str:code>/data/<slug:dataset>.<slug:fmt>",
        open_data.dataset,
        name="public_data_file",
    ),
    path("planering/nytt-mal/", planning.plan_goal_new, name="plan_goal_new"),
    path("planering/mal/<int:pk>/", planning.plan_goal_edit, name="plan_goal_edit"),
    path(
        "planering/mal/<int:goal_pk>/ny-indikator/",
        planning.plan_indicator_new,
        name="plan_indicator_new",
    ),
    path("planering/indikator/<int:pk>/", planning.plan_indicator_edit, name="plan_indicator_edit"),
    path(
        "planering/mal/<int:goal_pk>/ny-aktivitet/",
        planning.plan_activity_new,
        name="plan_activity_new",
    ),
    path("planering/aktivitet/<int:pk>/", planning.plan_activity_edit, name="plan_activity_edit"),
    path(
        "intern-kontroll/<int:unit_pk>/<int:year>/",
        internal_control.internal_control,
        name="internal_control",
    ),
    path(
        "intern-kontroll/<int:unit_pk>/<int:year>/risk/",
        internal_control.internal_control_risk,
        name="internal_control_risk",
    ),
    path(
        "intern-kontroll/<int:unit_pk>/<int:year>/kontrollmoment/",
        internal_control.internal_control_point,
        name="internal_control_point",
    ),
    path(
        "intern-kontroll/<int:unit_pk>/<int:year>/resultat/",
        internal_control.internal_control_result,
        name="internal_control_result",
    ),
    path(
        "intern-kontroll/<int:unit_pk>/<int:year>/faststall/",
        internal_control.internal_control_adopt,
        name="internal_control_adopt",
    ),
    path("installningar/", configuration.settings, name="settings"),
    path(
        "installningar/kommunen/",
        configuration.settings_municipality,
        name="settings_municipality",
    ),
    path("installningar/styrmodellen/", configuration.settings_model, name="settings_model"),
    path(
        "installningar/styrmodellen/las-in/",
        configuration.settings_model_load,
        name="settings_model_load",
    ),
    path(
        "installningar/styrmodellen/fil/",
        configuration.settings_model_file,
        name="settings_model_file",
    ),
    path("installningar/perioder/", configuration.settings_periods, name="settings_periods"),
    path(
        "installningar/perioder/skapa/",
        configuration.settings_periods_generate,
        name="settings_periods_generate",
    ),
    path(
        "installningar/perioder/<int:pk>/stang/",
        configuration.settings_period_close,
        name="settings_period_close",
    ),
    path(
        "installningar/perioder/<int:pk>/oppna/",
        configuration.settings_period_reopen,
        name="settings_period_reopen",
    ),
    path(
        "installningar/perioder/<int:pk>/beslut/",
        configuration.settings_period_decide,
        name="settings_period_decide",
    ),
    path(
        "installningar/organisationen/",
        configuration.settings_organisation,
        name="settings_organisation",
    ),
    path("installningar/kolada/", configuration.settings_kolada, name="settings_kolada"),
    path(
        "installningar/kolada/hamta/",
        configuration.settings_kolada_sync,
        name="settings_kolada_sync",
    ),
    path(
        "installningar/kolada/kkik/",
        configuration.settings_kolada_kkik,
        name="settings_kolada_kkik",
    ),
]
