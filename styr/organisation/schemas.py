import datetime
from typing import Annotated, Any

from ninja import Field, Schema

# An object's id as the database can hold it: anything else is refused (422), not looked up.
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A year to filter by.
Year = Annotated[int, Field(ge=1900, le=2200)]
# Text from the caller: any characters but NUL, which PostgreSQL cannot store or compare.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class ErrorOut(Schema):
    """Every error the API answers: a Swedish `detail`, and for some what is wrong where."""

    detail: str = Field(description="Vad som är fel, på svenska.")
    errors: list[Any] | dict[str, Any] | None = Field(
        None, description="Vid 400 och 422: felen per fält eller per del av begäran."
    )


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
