"""SCIM 2.0 protocol pieces that know nothing of our models: errors, attribute names, paths,
filters and PATCH operations applied to a resource's JSON document.

Filters and PATCH paths are parsed by `scim2-models` (its grammar of RFC 7644 §3.4.2.2 and
§3.5.2); evaluating them, and applying operations, is done here on plain dictionaries, leniently
enough for what Entra ID and Okta actually send: operation names in any case, attribute names in
any case, a path-less `replace` whose value is a dictionary keyed by paths (`name.givenName`,
`urn:…:enterprise:2.0:User:department`), booleans as the strings "True" and "False", member
removal by a value filter (`members[value eq "…"]`) or by a list of values.
"""

from __future__ import annotations

import copy
from typing import Any

from scim2_models import Path, SCIMException, ScimFilter
from scim2_models.path.expressions import (
    AttrPath,
    Comparison,
    LogicalExpr,
    Not,
    Present,
    ValuePath,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONTENT_TYPE = "application/scim+json"

MAX_OPERATIONS = 1000

# Attribute names as RFC 7643 spells them; a name maps to its sub-attributes (or None).
_MULTI = ["value", "display", "type", "primary", "$ref"]
USER_ATTRIBUTES: dict[str, list[str] | None] = {
    "schemas": None,
    "id": None,
    "externalId": None,
    "meta": None,
    "userName": None,
    "name": [
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ],
    "displayName": None,
    "nickName": None,
    "profileUrl": None,
    "title": None,
    "userType": None,
    "preferredLanguage": None,
    "locale": None,
    "timezone": None,
    "active": None,
    "password": None,
    "emails": _MULTI,
    "phoneNumbers": _MULTI,
    "ims": _MULTI,
    "photos": _MULTI,
    "addresses": [
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "type",
        "primary",
    ],
    "groups": _MULTI,
    "entitlements": _MULTI,
    "roles": _MULTI,
    "x509Certificates": _MULTI,
}
ENTERPRISE_ATTRIBUTES: dict[str, list[str] | None] = {
    "employeeNumber": None,
    "costCenter": None,
    "organization": None,
    "division": None,
    "department": None,
    "manager": ["value", "$ref", "displayName"],
}
GROUP_ATTRIBUTES: dict[str, list[str] | None] = {
    "schemas": None,
    "id": None,
    "externalId": None,
    "meta": None,
    "displayName": None,
    "members": _MULTI,
}
MULTI_VALUED = {
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "members",
    "schemas",
}
READ_ONLY = {"id", "meta", "groups"}


class ScimError(Exception):
    """An answer in the SCIM error shape (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def bad(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


class Schema:
    """What this server knows of a resource type: its attributes and its extensions."""

    def __init__(
        self,
        core_urn: str,
        attributes: dict[str, list[str] | None],
        extensions: dict[str, dict[str, list[str] | None]],
    ):
        self.core_urn = core_urn
        self.attributes = attributes
        self.extensions = extensions
        self._lower = {name.lower(): name for name in attributes}
        self._ext_lower = {urn.lower(): urn for urn in extensions}
        self._ext_attr_lower = {
            urn: {name.lower(): name for name in attrs} for urn, attrs in extensions.items()
        }

    def extension(self, urn: str) -> str | None:
        return self._ext_lower.get(urn.lower())

    def attribute(self, name: str, urn: str | None = None) -> str:
        """The canonical spelling of an attribute name (unknown names are kept as sent)."""
        if urn is not None and urn.lower() != self.core_urn.lower():
            ext = self.extension(urn)
            if ext is None:
                raise bad(f"Unknown schema {urn!r}.", "invalidPath")
            return self._ext_attr_lower[ext].get(name.lower(), name)
        return self._lower.get(name.lower(), name)

    def sub_attributes(self, attr: str, urn: str | None = None) -> list[str] | None:
        ext = self.extension(urn) if urn else None
        table = self.extensions[ext] if ext else self.attributes
        return table.get(attr)

    def canonical(self, document: Any) -> dict:
        """A resource document with every known attribute (and sub-attribute) name spelt as the
        RFC does, extensions under their canonical URN."""
        if not isinstance(document, dict):
            raise bad("The resource must be a JSON object.", "invalidSyntax")
        result: dict[str, Any] = {}
        for key, value in document.items():
            if not isinstance(key, str):
                continue
            ext = self.extension(key)
            if ext is not None:
                if not isinstance(value, dict):
                    raise bad(f"{ext} must be an object.", "invalidSyntax")
                attrs = self._ext_attr_lower[ext]
                result[ext] = {
                    attrs.get(k.lower(), k): canonical_value(
                        v, self.extensions[ext].get(attrs.get(k.lower(), k))
                    )
                    for k, v in value.items()
                }
                continue
            name = self._lower.get(key.lower(), key)
            result[name] = canonical_value(value, self.attributes.get(name))
        return result


def canonical_value(value: Any, subs: list[str] | None) -> Any:
    if not subs:
        return value
    lower = {s.lower(): s for s in subs}
    if isinstance(value, dict):
        return {lower.get(k.lower(), k) if isinstance(k, str) else k: v for k, v in value.items()}
    if isinstance(value, list):
        return [canonical_value(item, subs) for item in value]
    return value


USER = Schema(USER_SCHEMA, USER_ATTRIBUTES, {ENTERPRISE_SCHEMA: ENTERPRISE_ATTRIBUTES})
GROUP = Schema(GROUP_SCHEMA, GROUP_ATTRIBUTES, {})


# --- Filters -------------------------------------------------------------------------------


def parse_filter(text: str):
    """The syntax tree of a filter (scim2-models' grammar), or 400 invalidFilter."""
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        raise bad("The filter is empty or too long.", "invalidFilter")
    try:
        return ScimFilter(text).ast
    except (SCIMException, ValueError, TypeError, RecursionError) as exc:
        raise bad(f"The filter could not be read: {exc}", "invalidFilter") from exc


def _lookup(document: dict, name: str) -> Any:
    if name in document:
        return document[name]
    lower = name.lower()
    for key, value in document.items():
        if isinstance(key, str) and key.lower() == lower:
            return value
    return None


def _values_at(document: dict, attr_path: AttrPath) -> list:
    container: Any = document
    if attr_path.uri:
        container = _lookup(document, attr_path.uri)
        if not isinstance(container, dict):
            return []
    value = _lookup(container, attr_path.attr)
    items = value if isinstance(value, list) else [value]
    if attr_path.sub_attr:
        items = [_lookup(item, attr_path.sub_attr) for item in items if isinstance(item, dict)]
    return [item for item in items if item is not None]


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        actual, expected = actual.lower(), expected.lower()
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if isinstance(actual, str) and isinstance(expected, str):
        if op == "co":
            return expected in actual
        if op == "sw":
            return actual.startswith(expected)
        if op == "ew":
            return actual.endswith(expected)
    try:
        if op == "gt":
            return actual > expected
        if op == "ge":
            return actual >= expected
        if op == "lt":
            return actual < expected
        if op == "le":
            return actual <= expected
    except TypeError:
        return False
    return False


def matches(node, document: dict) -> bool:
    """Whether a document (a resource, or one value of a multi-valued attribute) matches."""
    if isinstance(node, Comparison):
        values = _values_at(document, node.attr_path)
        if node.op == "ne" and not values:
            return node.value is not None
        return any(_compare(value, node.op, node.value) for value in values)
    if isinstance(node, Present):
        return any(value not in ("", [], {}) for value in _values_at(document, node.attr_path))
    if isinstance(node, Not):
        return not matches(node.expr, document)
    if isinstance(node, LogicalExpr):
        results = (matches(term, document) for term in node.terms)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, ValuePath):
        items = _lookup(document, node.attr_path.attr)
        if node.attr_path.uri:
            container = _lookup(document, node.attr_path.uri)
            items = _lookup(container, node.attr_path.attr) if isinstance(container, dict) else None
        items = items if isinstance(items, list) else [items]
        return any(isinstance(i, dict) and matches(node.val_filter, i) for i in items)
    raise bad("This filter is not supported.", "invalidFilter")


# --- PATCH ---------------------------------------------------------------------------------


def truthy(value: Any, field: str) -> bool:
    """A SCIM boolean; Entra ID sends "True" and "False" as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(f"{field} must be true or false.")


def operations_of(body: Any) -> list[dict]:
    if not isinstance(body, dict):
        raise bad("A PATCH body is a JSON object.", "invalidSyntax")
    schemas = _lookup(body, "schemas")
    if schemas is not None and (
        not isinstance(schemas, list)
        or PATCH_SCHEMA.lower() not in [str(s).lower() for s in schemas]
    ):
        raise bad(f"A PATCH body's schemas list {PATCH_SCHEMA}.", "invalidSyntax")
    operations = _lookup(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise bad("A PATCH body carries a non-empty list of Operations.", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(413, f"At most {MAX_OPERATIONS} operations in one PATCH.", "tooMany")
    result = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad("Each operation is a JSON object.", "invalidSyntax")
        op = _lookup(operation, "op")
        if not isinstance(op, str) or op.lower() not in ("add", "remove", "replace"):
            raise bad("An operation's op is add, remove or replace.", "invalidSyntax")
        path = _lookup(operation, "path")
        if path is not None and (not isinstance(path, str) or not path.strip()):
            raise bad("An operation's path is a non-empty string.", "invalidPath")
        result.append({"op": op.lower(), "path": path, "value": _lookup(operation, "value")})
    return result


def apply_patch(schema: Schema, document: dict, operations: list[dict]) -> dict:
    """The document after the operations, in order (a copy: the original is untouched)."""
    document = copy.deepcopy(document)
    for operation in operations:
        op, path, value = operation["op"], operation["path"], operation["value"]
        if path is None:
            if op == "remove":
                raise bad("A remove operation needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise bad("An operation without a path carries an object of attributes.")
            for key, item in value.items():
                if not isinstance(key, str):
                    raise bad("Attribute names are strings.", "invalidPath")
                if key.lower() in ("schemas", "meta") or (
                    key.lower() == "id" and str(item) == str(document.get("id"))
                ):
                    continue  # Okta repeats the group's id in a path-less replace
                ext = schema.extension(key)
                if ext is not None and isinstance(item, dict):
                    for sub_key, sub_value in item.items():
                        _apply(schema, document, op, f"{ext}:{sub_key}", sub_value)
                else:
                    _apply(schema, document, op, key, item)
        else:
            _apply(schema, document, op, path, value)
    return document


def _parse_path(schema: Schema, path: str) -> tuple[str | None, str, Any, str | None]:
    """(extension URN or None, attribute, value filter or None, sub-attribute or None)."""
    if len(path) > 500:
        raise bad("The path is too long.", "invalidPath")
    if path.lower().startswith(schema.core_urn.lower() + ":"):
        path = path[len(schema.core_urn) + 1 :]
    try:
        node = Path(path).ast
    except (SCIMException, ValueError, TypeError, RecursionError) as exc:
        raise bad(f"The path {path!r} could not be read.", "invalidPath") from exc
    if isinstance(node, ValuePath):
        urn = node.attr_path.uri
        attr = schema.attribute(node.attr_path.attr, urn)
        return (schema.extension(urn) if urn else None, attr, node.val_filter, node.sub_attr)
    if isinstance(node, AttrPath):
        urn = node.uri
        if urn and urn.lower() == schema.core_urn.lower():
            urn = None
        attr = schema.attribute(node.attr, urn)
        ext = schema.extension(urn) if urn else None
        sub = node.sub_attr
        if sub:
            subs = schema.sub_attributes(attr, ext) or []
            sub = {s.lower(): s for s in subs}.get(sub.lower(), sub)
        return (ext, attr, None, sub)
    raise bad(f"The path {path!r} could not be read.", "invalidPath")


def _apply(schema: Schema, document: dict, op: str, path: str, value: Any) -> None:
    ext, attr, value_filter, sub = _parse_path(schema, path)
    if attr in READ_ONLY or attr == "schemas":
        raise bad(f"{attr} cannot be changed.", "mutability")
    container = document.setdefault(ext, {}) if ext else document
    if not isinstance(container, dict):
        raise bad(f"{ext} must be an object.", "invalidSyntax")
    subs = schema.sub_attributes(attr, ext)
    value = canonical_value(value, subs)
    current = container.get(attr)

    if value_filter is not None:
        items = current if isinstance(current, list) else []
        chosen = [i for i in items if isinstance(i, dict) and matches(value_filter, i)]
        if op == "remove":
            if sub:
                for item in chosen:
                    item.pop(sub, None)
            else:
                container[attr] = [i for i in items if not any(i is c for c in chosen)]
            return
        if not chosen:
            # Entra ID sets `emails[type eq "work"].value` on a user who has no work email
            # yet: make the value the filter describes (RFC 7644 would say noTarget).
            seed = _seed_from_filter(value_filter)
            if seed is None:
                raise bad(f"No value of {attr} matches the filter.", "noTarget")
            items = [*items, seed]
            container[attr] = items
            chosen = [seed]
        for item in chosen:
            if sub:
                item[sub] = value
            elif isinstance(value, dict):
                item.update(value)
            else:
                raise bad(f"A value of {attr} is an object.")
        return

    if op == "remove":
        if sub:
            if isinstance(current, dict):
                current.pop(sub, None)
            return
        if attr in MULTI_VALUED and value is not None:
            # Entra ID removes members by sending them as the value of a plain path.
            gone = value if isinstance(value, list) else [value]
            keys = {_member_key(v) for v in gone}
            container[attr] = [i for i in (current or []) if _member_key(i) not in keys]
            return
        container.pop(attr, None)
        return

    if sub:
        target = current if isinstance(current, dict) else {}
        target[sub] = value
        container[attr] = target
        return
    if attr in MULTI_VALUED:
        values = value if isinstance(value, list) else [value]
        if op == "add":
            existing = list(current or []) if isinstance(current, list) else []
            keys = {_member_key(v) for v in existing}
            container[attr] = existing + [v for v in values if _member_key(v) not in keys]
        else:
            container[attr] = values
        return
    if isinstance(value, dict) and isinstance(current, dict) and op == "add":
        current.update(value)
        return
    container[attr] = value


def _member_key(value: Any) -> Any:
    if isinstance(value, dict):
        inner = value.get("value")
        return str(inner).lower() if inner is not None else repr(sorted(value.items(), key=str))
    return str(value).lower()


def _seed_from_filter(node) -> dict | None:
    """The value an `eq` filter (or an `and` of them) describes: {type: work} for
    `type eq "work"`."""
    if isinstance(node, Comparison) and node.op == "eq" and not node.attr_path.sub_attr:
        return {node.attr_path.attr: node.value}
    if isinstance(node, LogicalExpr) and node.op == "and":
        seed: dict = {}
        for term in node.terms:
            part = _seed_from_filter(term)
            if part is None:
                return None
            seed.update(part)
        return seed
    return None


# --- Lists and projections -----------------------------------------------------------------


def page_bounds(start_index: str | None, count: str | None, maximum: int) -> tuple[int, int]:
    """(startIndex, count) from the query: 1-based, a startIndex below 1 counts as 1, a count
    below 0 as 0, above the maximum as the maximum (RFC 7644 §3.4.2.4)."""

    def number(text: str | None, default: int, name: str) -> int:
        if text is None or text == "":
            return default
        try:
            return int(text)
        except ValueError:
            raise bad(f"{name} is a whole number.", "invalidValue") from None

    start = max(1, number(start_index, 1, "startIndex"))
    size = min(max(0, number(count, maximum, "count")), maximum)
    return start, size


def project(schema: Schema, resource: dict, attributes: str | None, excluded: str | None) -> dict:
    """`attributes` keeps only the named top-level attributes (with id, schemas, meta);
    `excludedAttributes` drops them."""

    def names(text: str) -> set[str]:
        result = set()
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower().startswith(schema.core_urn.lower() + ":"):
                part = part[len(schema.core_urn) + 1 :]
            if part.lower().startswith("urn:"):
                result.add(part.lower())
            else:
                result.add(part.split(".")[0].split("[")[0].lower())
        return result

    if attributes:
        keep = names(attributes) | {"id", "schemas", "meta"}
        return {k: v for k, v in resource.items() if k.lower() in keep or _ext_kept(k, keep)}
    if excluded:
        drop = names(excluded) - {"id", "schemas"}
        return {k: v for k, v in resource.items() if k.lower() not in drop}
    return resource


def _ext_kept(key: str, keep: set[str]) -> bool:
    return key.startswith("urn:") and any(k.startswith(key.lower()) for k in keep)
