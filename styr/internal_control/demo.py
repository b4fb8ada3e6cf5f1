"""The demo's intern kontroll: one nämnd in each preset municipality gets a risk analysis, an
internkontrollplan and the first results of its controls, one of them with a deviation."""

import datetime

from styr.organisation.models import Municipality, OrgUnit

from .models import ControlPlan, Risk
from .services import control_point_save, result_save, risk_save

# (risk, process or area, probability, consequence, handling, description)
RISKS = [
    (
        "Inköp görs utanför upphandlade avtal",
        "Inköp och upphandling",
        4,
        3,
        Risk.Response.CONTROL,
        "Varor och tjänster köps av leverantörer som kommunen inte har avtal med.",
    ),
    (
        "Brister i hanteringen av personuppgifter",
        "Informationssäkerhet",
        2,
        4,
        Risk.Response.CONTROL,
        "Personuppgifter lagras eller skickas på ett sätt som inte följer dataskyddsförordningen.",
    ),
    (
        "Delegationsbeslut anmäls inte till nämnden",
        "Delegering",
        2,
        2,
        Risk.Response.CONTROL,
        "",
    ),
    (
        "Felaktiga utbetalningar av fakturor",
        "Ekonomi",
        1,
        3,
        Risk.Response.ACCEPT,
        "Fakturor betalas utan att beställningen stämts av.",
    ),
    (
        "Hög sjukfrånvaro försvagar verksamheten",
        "Personal",
        3,
        3,
        Risk.Response.CONTROL,
        "",
    ),
]

# (risk number, what, how, who, how often, months)
POINTS = [
    (
        1,
        "Att inköp görs enligt avtal",
        "Stickprov på 20 fakturor från olika leverantörer, jämförda med avtalsdatabasen.",
        "Ekonom",
        "Två gånger per år",
        [4, 10],
    ),
    (
        2,
        "Att registerförteckningen är aktuell",
        "Genomgång av registerförteckningen tillsammans med dataskyddsombudet.",
        "Förvaltningschef",
        "En gång per år",
        [9],
    ),
    (
        3,
        "Att delegationsbeslut anmäls",
        "Jämförelse mellan fattade beslut i verksamhetssystemet och anmälda beslut.",
        "Nämndsekreterare",
        "Varje tertial",
        [4, 8, 12],
    ),
    (
        4,
        "Att fakturor attesteras enligt attestreglementet",
        "Stickprov på 10 fakturor per kontroll.",
        "Controller",
        "Två gånger per år",
        [5, 11],
    ),
    (
        5,
        "Att rehabiliteringsärenden startas i tid",
        "Genomgång av sjukfrånvaron i HR-systemet mot påbörjade rehabiliteringsärenden.",
        "HR-konsult",
        "Varje kvartal",
        [3, 6, 9, 12],
    ),
]


def _body(municipality: Municipality) -> OrgUnit | None:
    units = OrgUnit.objects.filter(
        municipality=municipality, type__is_political=True, parent__isnull=False
    ).order_by("path")
    return units.filter(type__key="namnd").first() or units.first()


def demo_internal_control(
    *, municipality: Municipality, year: int, unit: OrgUnit | None = None
) -> ControlPlan | None:
    """Idempotent: a nämnd (or the unit given) that already has a plan for the year keeps it as
    it is."""
    unit = unit or _body(municipality)
    if unit is None:
        return None
    existing = ControlPlan.objects.filter(unit=unit, year=year).first()
    if existing is not None:
        return existing
    risks = {}
    for number, (title, area, probability, consequence, response, description) in enumerate(
        RISKS, start=1
    ):
        risks[number] = risk_save(
            unit=unit,
            year=year,
            title=title,
            area=area,
            probability=probability,
            consequence=consequence,
            response=response,
            description=description,
        )
    points = [
        control_point_save(
            risk=risks[risk],
            what=what,
            method=method,
            responsible=responsible,
            frequency=frequency,
            months=months,
        )
        for risk, what, method, responsible, frequency, months in POINTS
    ]
    result_save(
        point=points[0],
        month=4,
        performed_on=datetime.date(year, 4, 24),
        result="17 av 20 fakturor gällde leverantörer med avtal.",
        deviation=True,
        deviation_description="Tre inköp av kontorsmaterial gjordes hos en leverantör utan avtal.",
        measures="Beställarna har fått information om avtalen; ny kontroll i oktober.",
    )
    result_save(
        point=points[2],
        month=4,
        performed_on=datetime.date(year, 5, 6),
        result="Alla delegationsbeslut under perioden var anmälda till nämnden.",
    )
    result_save(
        point=points[4],
        month=3,
        performed_on=datetime.date(year, 4, 2),
        result="Rehabiliteringsärenden hade startats för alla med upprepad korttidsfrånvaro.",
    )
    return ControlPlan.objects.get(unit=unit, year=year)
