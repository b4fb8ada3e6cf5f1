from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("roda-traden/", views.red_thread, name="red_thread"),
    path("mal/<int:pk>/", views.goal, name="goal"),
    path("enheter/<int:pk>/", views.unit, name="unit"),
    path("uppfoljning/<int:unit_pk>/<int:period_pk>/", views.followup, name="followup"),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/indikator/<int:indicator_pk>/",
        views.followup_indicator,
        name="followup_indicator",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/aktivitet/<int:activity_pk>/",
        views.followup_activity,
        name="followup_activity",
    ),
    path(
        "uppfoljning/<int:unit_pk>/<int:period_pk>/mal/<int:goal_pk>/",
        views.followup_goal,
        name="followup_goal",
    ),
    path("oversikt/", views.overview, name="overview"),
    path("planering/nytt-mal/", views.plan_goal_new, name="plan_goal_new"),
    path("planering/mal/<int:pk>/", views.plan_goal_edit, name="plan_goal_edit"),
]
