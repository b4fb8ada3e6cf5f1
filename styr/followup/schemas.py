import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from styr.organisation.schemas import ObjectId, Text

# A number in JSON; beside `Text` it is described once, as a number (text is `Text`'s part).
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class PeriodOut(Schema):
    id: int
    municipality: int
    definition: str
    name: str
    kind: str
    year: int
    month: int
    state: str
    starts_on: datetime.date
    ends_on: datetime.date
    follows_up: list[str]

    @staticmethod
    def resolve_municipality(obj) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_definition(obj) -> str:
        return obj.definition.key

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.definition.kind

    @staticmethod
    def resolve_follows_up(obj) -> list[str]:
        return list(obj.definition.follows_up)


class OutcomeOut(Schema):
    id: int
    indicator: int
    indicator_code: str
    unit: int
    unit_code: str
    period: int
    gender: str = Field(description="T (total), K (kvinnor) eller M (män), som Kolada skriver.")
    value: Decimal
    source: str
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_indicator(obj) -> int:
        return obj.indicator_id

    @staticmethod
    def resolve_indicator_code(obj) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_period(obj) -> int:
        return obj.period_id


class OutcomeIn(Schema):
    indicator: ObjectId | Text = Field(description="Indikatorns id (tal) eller kod (text).")
    unit: ObjectId | Text = Field(description="Enhetens id (tal) eller kod (text).")
    period: ObjectId = Field(description="Uppföljningsperiodens id.")
    gender: Text = Field("T", description="T (totalt), K (kvinnor) eller M (män).")
    value: Number | Text = Field(description="Utfallet, t.ex. 12.5 eller ”12,5”.")
    forecast: Number | Text | None = Field(None, description="Prognos för helår (rad med T).")
    comment: Text | None = Field(None, description="Kommentar (rad med T).")


class OutcomesSummaryOut(Schema):
    created: int
    changed: int
    unchanged: int


class RowError(Schema):
    row: int = Field(description="Postens nummer i listan, från 1.")
    field: str | None
    detail: str


class RowErrorsOut(Schema):
    detail: str
    errors: list[RowError]


class AssessmentOut(Schema):
    id: int
    goal: int
    goal_code: str
    unit: int
    period: int
    value: str
    value_label: str
    suggested_value: str | None
    motivation: str
    analysis: str
    next_year: str
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_goal(obj) -> int:
        return obj.goal_id

    @staticmethod
    def resolve_goal_code(obj) -> str:
        return obj.goal.code

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.goal.unit_id

    @staticmethod
    def resolve_period(obj) -> int:
        return obj.period_id

    @staticmethod
    def resolve_value(obj) -> str:
        return obj.value.key

    @staticmethod
    def resolve_value_label(obj) -> str:
        return obj.value.label

    @staticmethod
    def resolve_suggested_value(obj) -> str | None:
        return obj.suggested_value.key if obj.suggested_value_id else None


class CorrectiveActionIn(Schema):
    description: Text = Field(description="Vad.")
    responsible: Text = Field(description="Vem.")
    due_on: datetime.date | None = Field(description="När (ÅÅÅÅ-MM-DD).")


class AssessmentIn(Schema):
    goal: ObjectId = Field(description="Målets id.")
    period: ObjectId = Field(description="Uppföljningsperiodens id.")
    value: Text = Field(description="Bedömningens nyckel på styrmodellens skala.")
    analysis: Text
    motivation: Text = ""
    next_year: Text = ""
    corrective_actions: list[CorrectiveActionIn] = []
    version: int | None = Field(
        None,
        description=(
            "Versionen du läste (null: det fanns ingen bedömning). Utelämnad: ingen kontroll av "
            "om någon annan har ändrat under tiden."
        ),
    )
