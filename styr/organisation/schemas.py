import datetime

from ninja import Schema


class MunicipalityOut(Schema):
    id: int
    code: str
    name: str
    kolada_group: str
    public_view: bool


class UnitOut(Schema):
    id: int
    municipality: int
    code: str
    name: str
    type: str
    parent: int | None
    path: str
    depth: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @staticmethod
    def resolve_municipality(obj) -> int:
        return obj.municipality_id

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.type.key

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id
