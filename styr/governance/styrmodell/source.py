"""Read a YAML file into plain data and remember the line of every key and list item.

The line map lets every problem, whether found by the schema or by the checker's rules, name the
line it is on: paths are tuples of keys and list indexes, like ("goals", 3, "level").
"""

from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class SourceFile:
    name: str
    text: str
    data: object = None
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of the nearest enclosing part of the file that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def problem(self, path: Path, message: str) -> Problem:
        return Problem(self.name, self.line_of(path), format_path(path), message)


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that treats a key written twice in one mapping as an error."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _record_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


def read_source(name: str, text: str) -> tuple[SourceFile, list[Problem]]:
    """Parse `text`; a syntax error becomes one Problem that names its line and column."""
    source = SourceFile(name=name, text=text)
    try:
        node = yaml.compose(text, Loader=_UniqueKeyLoader)
        source.data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        if error.problem and error.problem.startswith("duplicate key"):
            message = _("the key %(key)s is written twice in the same part of the file.") % {
                "key": error.problem.removeprefix("duplicate key ")
            }
        else:
            message = _(
                "The file is not valid YAML (column %(column)s: %(problem)s). Check indentation, "
                "colons and quotation marks."
            ) % {"column": column, "problem": error.problem or error.context}
        return source, [Problem(name, line, "", message)]
    except yaml.YAMLError as error:
        return source, [Problem(name, None, "", _("The file is not valid YAML: %s") % error)]
    if node is not None:
        _record_lines(node, (), source.lines)
    if not isinstance(source.data, dict):
        return source, [Problem(name, 1, "", _("The file must be a YAML mapping of fields."))]
    return source, []
