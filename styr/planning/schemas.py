import datetime

from ninja import Schema


class GoalOut(Schema):
    id: int
    municipality: int
    code: str
    title: str
    description: str
    level: str
    unit: int
    unit_code: str
    focus_areas: list[str]
    parents: list[int]
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    version: int

    @staticmethod
    def resolve_municipality(obj) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_level(obj) -> str:
        return obj.level.key

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_focus_areas(obj) -> list[str]:
        return [area.key for area in obj.focus_areas.all()]

    @staticmethod
    def resolve_parents(obj) -> list[int]:
        return [link.parent_id for link in obj.parent_links.all()]


class IndicatorOut(Schema):
    id: int
    municipality: int
    code: str
    name: str
    description: str
    unit: int
    unit_code: str
    measure: str
    direction: str
    frequency: str
    gender_split: bool
    additive: bool
    kind: str
    subject: str
    focus_area: str | None
    kolada_kpi: str
    goals: list[int]
    version: int

    @staticmethod
    def resolve_municipality(obj) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_unit(obj) -> int:
        return obj.unit_id

    @staticmethod
    def resolve_unit_code(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_focus_area(obj) -> str | None:
        return obj.focus_area.key if obj.focus_area_id else None

    @staticmethod
    def resolve_goals(obj) -> list[int]:
        return [goal.pk for goal in obj.goals.all()]
