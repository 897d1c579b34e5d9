"""Data-source query filters and sorts (notion-api.md §5.3), compiled once per request into Python callables.

Conditions follow the SDK's filter grammar: property filters by type, the created_time/last_edited_time
timestamp filter, and `and`/`or` compounds nested up to two levels. Text comparisons are case-insensitive
except `equals`; empty values sort last in both directions. Anything malformed is a 400 validation_error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..api_json.errors import validation
from ..model.clock import DAY_MS, floor_minute, parse_iso
from ..model.ids import normalize
from ..model.objects import DataSource, Page, PropertySchema, Workspace
from ..model.properties import value_of

Predicate = Callable[[Page], bool]
_TEXT_TYPES = {"title", "rich_text", "url", "email", "phone_number"}
_DATE_OPS = {
    "equals",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "this_week",
    "past_week",
    "past_month",
    "past_year",
    "next_week",
    "next_month",
    "next_year",
    "is_empty",
    "is_not_empty",
}
_RELATIVE = {
    "past_week": (-7, 0),
    "past_month": (-30, 0),
    "past_year": (-365, 0),
    "next_week": (0, 7),
    "next_month": (0, 30),
    "next_year": (0, 365),
    "this_week": (-3.5, 3.5),
}


def plain_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    parts = []
    for segment in value:
        parts.append(segment if isinstance(segment, str) else str(segment[-1]))
    return "".join(parts)


class FilterCompiler:
    def __init__(self, ws: Workspace, ds: DataSource, now_ms: int):
        self.ws, self.ds, self.now_ms = ws, ds, now_ms

    def compile(self, spec: Any, path: str = "body.filter", level: int = 0) -> Predicate:
        if not isinstance(spec, dict):
            raise validation(f"body failed validation: {path} should be an object, instead was `{_show(spec)}`.")
        for compound in ("and", "or"):
            if compound in spec:
                items = spec[compound]
                if not isinstance(items, list):
                    raise validation(f"body failed validation: {path}.{compound} should be an array.")
                if level >= 2:
                    raise validation(
                        f"body failed validation: {path}.{compound} is nested too deeply; "
                        "compound filters may nest two levels."
                    )
                parts = [self.compile(item, f"{path}.{compound}[{i}]", level + 1) for i, item in enumerate(items)]
                if compound == "and":
                    return lambda page: all(p(page) for p in parts)
                return lambda page: any(p(page) for p in parts)
        if "timestamp" in spec:
            kind = spec["timestamp"]
            if kind not in ("created_time", "last_edited_time"):
                raise validation(
                    f'body failed validation: {path}.timestamp should be `"created_time"` or '
                    f'`"last_edited_time"`, instead was `{_show(kind)}`.'
                )
            condition = self._condition(spec, kind, path)
            getter = (
                (lambda page: floor_minute(page.created_ms))
                if kind == "created_time"
                else (lambda page: floor_minute(page.edited_ms))
            )
            test = self._date(condition, f"{path}.{kind}")
            return lambda page: test(getter(page))
        if "property" in spec:
            prop = self.ds.property_by_id_or_name(spec["property"])
            if prop is None:
                raise validation(f"Could not find property with name or id: {spec['property']}")
            return self._property(prop, spec, path)
        raise validation(f"body failed validation: {path} should be a property, timestamp or compound filter.")

    def _condition(self, spec: dict, key: str, path: str) -> dict:
        condition = spec.get(key)
        if not isinstance(condition, dict) or len(condition) != 1:
            raise validation(f"body failed validation: {path}.{key} should be an object with one condition.")
        return condition

    def _property(self, prop: PropertySchema, spec: dict, path: str) -> Predicate:
        ws, kind = self.ws, prop.type
        type_key = next((k for k in spec if k != "property"), None)
        if type_key is None:
            raise validation(f"body failed validation: {path} should hold a condition for property `{prop.name}`.")
        condition = self._condition(spec, type_key, path)
        where = f"{path}.{type_key}"
        value = lambda page: value_of(ws, page, prop)  # noqa: E731
        if kind == "formula":
            inner_type, inner = next(iter(condition.items()))
            if not isinstance(inner, dict) or len(inner) != 1:
                raise validation(f"body failed validation: {where}.{inner_type} should hold one condition.")
            getter = lambda page: _typed_result(value(page))  # noqa: E731
            return self._typed(inner_type.replace("checkbox", "boolean"), inner, getter, f"{where}.{inner_type}")
        if kind == "rollup":
            inner_type, inner = next(iter(condition.items()))
            if inner_type in ("any", "every", "none"):
                inner_type, inner = next(iter(inner.items()))
            getter = lambda page: _typed_result(value(page))  # noqa: E731
            return self._typed(inner_type, inner, getter, f"{where}.{inner_type}")
        return self._typed(kind, condition, value, where)

    def _typed(self, kind: str, condition: dict, getter, where: str) -> Predicate:
        op, operand = next(iter(condition.items()))
        if kind in _TEXT_TYPES or kind == "string":
            return self._text(op, operand, lambda page: plain_text(getter(page)), where)
        if kind in ("number", "unique_id"):
            return self._number(op, operand, getter, where)
        if kind in ("checkbox", "boolean"):
            if op not in ("equals", "does_not_equal") or not isinstance(operand, bool):
                raise validation(f"body failed validation: {where}.{op} should be a boolean equals/does_not_equal.")
            return (
                (lambda page: bool(getter(page)) == operand)
                if op == "equals"
                else (lambda page: bool(getter(page)) != operand)
            )
        if kind in ("select", "status"):
            name = lambda page: (getter(page) or {}).get("name")  # noqa: E731
            return self._equality(op, operand, name, where)
        if kind == "multi_select":
            names = lambda page: [o["name"] for o in getter(page) or []]  # noqa: E731
            return self._contains(op, operand, names, where)
        if kind in ("people", "created_by", "last_edited_by"):

            def user_ids(page):
                got = getter(page)
                idxs = got if isinstance(got, list) else [got]
                return [self.ws.users[i].id.replace("-", "") for i in idxs]

            return self._contains(op, normalize(operand) if isinstance(operand, str) else operand, user_ids, where)
        if kind == "relation":
            ids = lambda page: [self.ws.pages[i].id.replace("-", "") for i in getter(page) or []]  # noqa: E731
            return self._contains(op, normalize(operand) if isinstance(operand, str) else operand, ids, where)
        if kind in ("date", "created_time", "last_edited_time"):
            test = self._date(condition, where)

            def date_of(page):
                got = getter(page)
                if got is None:
                    return None
                if isinstance(got, int):
                    return floor_minute(got)
                return parse_iso(got["start"])[0]

            return lambda page: test(date_of(page))
        if kind == "files":
            return self._emptiness(op, operand, lambda page: not getter(page), where)
        if kind == "verification":
            state = lambda page: (getter(page) or {}).get("state")  # noqa: E731
            return self._equality("equals" if op == "status" else op, operand, state, where)
        raise validation(f"body failed validation: {where}: properties of type `{kind}` cannot be filtered.")

    def _emptiness(self, op, operand, is_empty, where) -> Predicate:
        if op == "is_empty" and operand is True:
            return is_empty
        if op == "is_not_empty" and operand is True:
            return lambda page: not is_empty(page)
        raise validation(f"body failed validation: {where}.{op} is not a valid condition here.")

    def _text(self, op, operand, text_of, where) -> Predicate:
        if op in ("is_empty", "is_not_empty"):
            return self._emptiness(op, operand, lambda page: text_of(page) == "", where)
        if not isinstance(operand, str):
            raise validation(
                f"body failed validation: {where}.{op} should be a string, instead was `{_show(operand)}`."
            )
        needle = operand.lower()
        tests = {
            "equals": lambda page: text_of(page) == operand,
            "does_not_equal": lambda page: text_of(page) != operand,
            "contains": lambda page: needle in text_of(page).lower(),
            "does_not_contain": lambda page: needle not in text_of(page).lower(),
            "starts_with": lambda page: text_of(page).lower().startswith(needle),
            "ends_with": lambda page: text_of(page).lower().endswith(needle),
        }
        if op not in tests:
            raise validation(f"body failed validation: {where}.{op} is not a text condition.")
        return tests[op]

    def _number(self, op, operand, number_of, where) -> Predicate:
        if op in ("is_empty", "is_not_empty"):
            return self._emptiness(op, operand, lambda page: number_of(page) is None, where)
        if not isinstance(operand, (int, float)) or isinstance(operand, bool):
            raise validation(
                f"body failed validation: {where}.{op} should be a number, instead was `{_show(operand)}`."
            )
        compare = {
            "equals": lambda v: v == operand,
            "does_not_equal": lambda v: v != operand,
            "greater_than": lambda v: v > operand,
            "less_than": lambda v: v < operand,
            "greater_than_or_equal_to": lambda v: v >= operand,
            "less_than_or_equal_to": lambda v: v <= operand,
        }
        if op not in compare:
            raise validation(f"body failed validation: {where}.{op} is not a number condition.")
        test = compare[op]
        if op == "does_not_equal":
            return lambda page: number_of(page) != operand
        return lambda page: number_of(page) is not None and test(number_of(page))

    def _equality(self, op, operand, value_of_page, where) -> Predicate:
        if op in ("is_empty", "is_not_empty"):
            return self._emptiness(op, operand, lambda page: value_of_page(page) is None, where)
        if op == "equals":
            return lambda page: value_of_page(page) == operand
        if op == "does_not_equal":
            return lambda page: value_of_page(page) != operand
        raise validation(f"body failed validation: {where}.{op} is not a valid condition here.")

    def _contains(self, op, operand, values_of_page, where) -> Predicate:
        if op in ("is_empty", "is_not_empty"):
            return self._emptiness(op, operand, lambda page: not values_of_page(page), where)
        if op == "contains":
            return lambda page: operand in values_of_page(page)
        if op == "does_not_contain":
            return lambda page: operand not in values_of_page(page)
        raise validation(f"body failed validation: {where}.{op} is not a valid condition here.")

    def _date(self, condition: dict, where: str) -> Callable[[int | None], bool]:
        op, operand = next(iter(condition.items()))
        if op not in _DATE_OPS:
            raise validation(f"body failed validation: {where}.{op} is not a date condition.")
        if op == "is_empty":
            return lambda ms: ms is None
        if op == "is_not_empty":
            return lambda ms: ms is not None
        if op in _RELATIVE:
            low, high = _RELATIVE[op]
            start, end = self.now_ms + int(low * DAY_MS), self.now_ms + int(high * DAY_MS)
            return lambda ms: ms is not None and start <= ms <= end
        try:
            bound, date_only = parse_iso(operand)
        except (ValueError, TypeError):
            raise validation(
                f"body failed validation: {where}.{op} should be an ISO 8601 date, instead was `{_show(operand)}`."
            ) from None
        if date_only:  # compare whole days
            day = lambda ms: ms - ms % DAY_MS  # noqa: E731
            tests = {
                "equals": lambda ms: day(ms) == bound,
                "before": lambda ms: day(ms) < bound,
                "after": lambda ms: day(ms) > bound,
                "on_or_before": lambda ms: day(ms) <= bound,
                "on_or_after": lambda ms: day(ms) >= bound,
            }
        else:
            tests = {
                "equals": lambda ms: ms == bound,
                "before": lambda ms: ms < bound,
                "after": lambda ms: ms > bound,
                "on_or_before": lambda ms: ms <= bound,
                "on_or_after": lambda ms: ms >= bound,
            }
        test = tests[op]
        return lambda ms: ms is not None and test(ms)


def sort_key_function(ws: Workspace, ds: DataSource, sorts: Any) -> list[tuple[Callable, bool]]:
    """[(key(page), descending)] for the `sorts` body parameter; empty values always sort last."""
    if not isinstance(sorts, list):
        raise validation("body failed validation: body.sorts should be an array.")
    result = []
    for i, spec in enumerate(sorts):
        if not isinstance(spec, dict):
            raise validation(f"body failed validation: body.sorts[{i}] should be an object.")
        direction = spec.get("direction", "ascending")
        if direction not in ("ascending", "descending"):
            raise validation(
                f'body failed validation: body.sorts[{i}].direction should be `"ascending"` or '
                f'`"descending"`, instead was `{_show(direction)}`.'
            )
        if "timestamp" in spec:
            if spec["timestamp"] == "created_time":
                key = lambda page: page.created_ms  # noqa: E731
            elif spec["timestamp"] == "last_edited_time":
                key = lambda page: floor_minute(page.edited_ms)  # noqa: E731
            else:
                raise validation(
                    f'body failed validation: body.sorts[{i}].timestamp should be `"created_time"` '
                    f'or `"last_edited_time"`, instead was `{_show(spec["timestamp"])}`.'
                )
        elif "property" in spec:
            prop = ds.property_by_id_or_name(spec["property"])
            if prop is None:
                raise validation(f"Could not find sort property with name or id: {spec['property']}")
            key = _property_sort_key(ws, prop)
        else:
            raise validation(f"body failed validation: body.sorts[{i}] should have a property or a timestamp.")
        result.append((key, direction == "descending"))
    return result


def _property_sort_key(ws: Workspace, prop: PropertySchema) -> Callable:
    def key(page):
        value = value_of(ws, page, prop)
        if prop.type in ("formula", "rollup"):
            value = _typed_result(value)
        if prop.type in ("created_by", "last_edited_by"):
            return ws.users[value].name
        if prop.type == "people":
            return ws.users[value[0]].name if value else None
        if prop.type == "relation":
            return len(value) if value else None
        if isinstance(value, dict):
            return value.get("name") or value.get("start") or value.get("state")
        if isinstance(value, list):
            if not value:
                return None
            first = value[0]
            return first.get("name") if isinstance(first, dict) else plain_text(value).lower()
        if isinstance(value, str):
            return value.lower() or None
        return value

    return key


def sort_rows(rows: list[Page], keys: list[tuple[Callable, bool]]) -> list[Page]:
    """Stable multi-key sort; each key's empty values go last whatever its direction."""
    for key, descending in reversed(keys):
        present = [(key(row), row) for row in rows]
        filled = [pair for pair in present if pair[0] is not None]
        empty = [row for value, row in present if value is None]
        filled.sort(key=lambda pair: _comparable(pair[0]), reverse=descending)
        rows = [row for _, row in filled] + empty
    return rows


def _comparable(value):
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


def _show(value) -> str:
    return json.dumps(value)


def _typed_result(value: dict):
    """The value inside a formula or rollup result (`{"type": "number", "number": 3}` → 3)."""
    return value.get(value["type"])
