"""Grammar-safe projection of MCP tool schemas: a corpus of the constructs that make llama.cpp,
LM Studio and Ollama refuse every request, and what is sent instead."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smallcode.plugins.mcp_schema import project_tool_schema

# Keywords no projected schema may contain (grammar compilers choke on them, or they are noise).
FORBIDDEN = {
    "$schema", "$ref", "$defs", "definitions", "pattern", "format", "not", "if", "then", "else",
    "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "patternProperties", "propertyNames", "const", "allOf",
    "uniqueItems", "minProperties", "maxProperties", "dependentRequired", "title", "examples",
    "default", "contentEncoding", "unevaluatedProperties", "prefixItems",
}  # fmt: skip
ALLOWED = {"type", "properties", "required", "items", "enum", "anyOf", "oneOf", "description",
           "additionalProperties"}  # fmt: skip


def keys(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(k)
            if k == "properties" and isinstance(v, dict):
                for sub in v.values():
                    out |= keys(sub)
            else:
                out |= keys(v)
    elif isinstance(node, list):
        for v in node:
            out |= keys(v)
    return out


CORPUS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # kubernetes-mcp-server #758: an unanchored pattern -> 400 "JSON schema conversion failed"
    "unanchored pattern": (
        {"type": "object", "properties": {"name": {"type": "string", "pattern": "[a-z0-9]([-a-z0-9]*[a-z0-9])?"}},
         "required": ["name"]},
        {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
    ),
    # llama.cpp #17574: `not: {}` from the filesystem server via LibreChat
    "not": (
        {"type": "object", "properties": {"path": {"type": "string", "not": {}}, "extra": {"not": {}}}},
        {"type": "object", "properties": {"path": {"type": "string"}, "extra": {}}},
    ),
    # email-mcp #58: a zod email regex with lookaheads -> "failed to parse grammar"
    "email format and lookahead": (
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
         "properties": {"to": {"type": "string", "format": "email",
                               "pattern": "^(?!\\.)(?!.*\\.\\.)([A-Z0-9_'+\\-\\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\\-]*\\.)+[A-Z]{2,}$"}},
         "required": ["to"], "additionalProperties": False},
        {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"],
         "additionalProperties": False},
    ),
    # Atomic-Chat #272: big bounded repeats blow the grammar up
    "bounded repeats": (
        {"type": "object", "properties": {
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10**9},
                    "minItems": 1, "maxItems": 1000, "uniqueItems": True},
            "body": {"type": "string", "minLength": 1, "maxLength": 100000}}},
        {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer"}},
                                          "body": {"type": "string"}}},
    ),
    "if then else": (
        {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]},
                                          "n": {"type": "number", "multipleOf": 0.5}},
         "if": {"properties": {"mode": {"const": "a"}}}, "then": {"required": ["n"]},
         "else": {"required": []}},
        {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]},
                                          "n": {"type": "number"}}},
    ),
    "empty additionalProperties and patternProperties": (
        {"type": "object", "properties": {"env": {"type": "object", "additionalProperties": {}},
                                          "labels": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}}}},
        {"type": "object", "properties": {"env": {"type": "object", "properties": {},
                                                  "additionalProperties": True},
                                          "labels": {"type": "object", "properties": {},
                                                     "additionalProperties": True}}},
    ),
    "nullable type list and const": (
        {"type": "object", "properties": {"limit": {"type": ["integer", "null"], "default": 10},
                                          "kind": {"const": "file", "title": "Kind"}}},
        {"type": "object", "properties": {"limit": {"type": "integer"},
                                          "kind": {"enum": ["file"], "type": "string"}}},
    ),
    "recursive ref": (
        {"type": "object", "properties": {"tree": {"$ref": "#/$defs/Node"}},
         "$defs": {"Node": {"type": "object", "description": "A node.",
                            "properties": {"name": {"type": "string"},
                                           "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}}},
        {"type": "object", "properties": {"tree": {"description": "A node.", "type": "object",
            "properties": {"name": {"type": "string"},
                           "children": {"type": "array", "items": {"type": "object", "description": "A node."}}}}}},
    ),
    "allOf merged": (
        {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                   {"properties": {"b": {"type": "boolean"}}}]},
        {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}},
         "required": ["a"]},
    ),
    "required names that do not exist": (
        {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q", "ghost", "q"]},
        {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    ),
    "anyOf with null": (
        {"type": "object", "properties": {"when": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}}},
        {"type": "object", "properties": {"when": {"type": "string"}}},
    ),
    "no schema at all": (
        {},
        {"type": "object", "properties": {}},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_projection(case: str) -> None:
    raw, want = CORPUS[case]
    got = project_tool_schema(raw)
    assert got == want
    assert not (keys(got) - ALLOWED - set(_property_names(got)))
    json.dumps(got)  # plain JSON


def _property_names(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "properties" and isinstance(v, dict):
                out += list(v)
                for sub in v.values():
                    out += _property_names(sub)
            else:
                out += _property_names(v)
    elif isinstance(node, list):
        for v in node:
            out += _property_names(v)
    return out


def test_no_forbidden_keyword_survives_anywhere() -> None:
    for raw, _ in CORPUS.values():
        got = project_tool_schema(raw)
        assert not (keys(got) & FORBIDDEN - set(_property_names(got)))


def test_long_descriptions_and_deep_nesting_are_bounded() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(20):
        deep = {"type": "object", "properties": {"x": deep}}
    raw = {"type": "object", "description": "d" * 5000, "properties": {"deep": deep}}
    got = project_tool_schema(raw)
    assert len(got["description"]) <= 160
    assert len(json.dumps(got)) < 600
