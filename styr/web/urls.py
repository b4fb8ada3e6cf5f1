from django.urls import path

from .views import followup, pages, planning, theme

app_name = "web"

urlpatterns = [
    path("roda-traden/", pages.red_thread, name="red_thread"),
    path("mal/<int:pk>/", pages.goal, name="goal"),
    path("enheter/<int:pk>/", pages.unit, name="unit"),
    path("oversikt/", pages.overview, name="overview"),
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
    path("kommun/<str:code>/logotyp/", theme.logo, name="logo"),
    path("planering/nytt-mal/", planning.plan_goal_new, name="plan_goal_new"),
    path("planering/mal/<int:pk>/", planning.plan_goal_edit, name="plan_goal_edit"),
]
