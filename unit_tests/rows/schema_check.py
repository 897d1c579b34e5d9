"""Validation of row records against their stream's schema: jsonschema (draft 7), plus RFC 3339 for
`format: date-time`, which jsonschema only checks when an optional package is installed."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
checker = jsonschema.FormatChecker()


@checker.checks("date-time")
def _date_time(value: Any) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


_checked: dict[int, jsonschema.Draft7Validator] = {}


def validate(record: dict[str, Any], schema: dict[str, Any]) -> None:
    validator = _checked.get(id(schema))
    if validator is None or validator.schema is not schema:
        jsonschema.Draft7Validator.check_schema(schema)
        validator = _checked[id(schema)] = jsonschema.Draft7Validator(schema, format_checker=checker)
    validator.validate(record)
