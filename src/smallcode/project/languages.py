"""Tree-sitter grammars (the per-language wheels) and the queries that find symbols in them.

Each query marks definitions (``@definition.<kind>`` with ``@name``), call sites
(``@reference.call`` with ``@name``), comments (``@comment``) and, for Python, docstrings
(``@doc``). Grammars are imported lazily and only once; a missing wheel means the language is
indexed as plain text.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

_JS_COMMON = """
(class_declaration name: (_) @name) @definition.class
(class name: (_) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(method_definition name: (_) @name) @definition.method
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function
(assignment_expression
  left: (member_expression property: (property_identifier) @name)
  right: [(arrow_function) (function_expression)]) @definition.function
(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function
(call_expression
  function: [(identifier) @name
             (member_expression property: (property_identifier) @name)]) @reference.call
(new_expression constructor: (identifier) @name) @reference.call
(comment) @comment
"""

_TS_EXTRA = """
(interface_declaration name: (type_identifier) @name) @definition.interface
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(method_signature name: (_) @name) @definition.method
(abstract_method_signature name: (_) @name) @definition.method
"""

QUERIES: dict[str, str] = {
    "python": """
(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function
(call
  function: [(identifier) @name
             (attribute attribute: (identifier) @name)]) @reference.call
(comment) @comment
(block . (expression_statement (string) @doc))
(module . (expression_statement (string) @doc))
""",
    "javascript": _JS_COMMON,
    "typescript": _JS_COMMON + _TS_EXTRA,
    "tsx": _JS_COMMON + _TS_EXTRA,
    "go": """
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(type_spec name: (type_identifier) @name) @definition.type
(call_expression
  function: [(identifier) @name
             (selector_expression field: (field_identifier) @name)]) @reference.call
(comment) @comment
""",
    "rust": """
(struct_item name: (type_identifier) @name) @definition.class
(enum_item name: (type_identifier) @name) @definition.class
(union_item name: (type_identifier) @name) @definition.class
(trait_item name: (type_identifier) @name) @definition.interface
(impl_item type: (_) @name) @definition.impl
(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function
(mod_item name: (identifier) @name) @definition.module
(macro_definition name: (identifier) @name) @definition.macro
(call_expression
  function: [(identifier) @name
             (field_expression field: (field_identifier) @name)
             (scoped_identifier name: (identifier) @name)]) @reference.call
(macro_invocation macro: (identifier) @name) @reference.call
(line_comment) @comment
(block_comment) @comment
""",
    "java": """
(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(method_invocation name: (identifier) @name) @reference.call
(object_creation_expression type: (type_identifier) @name) @reference.call
(line_comment) @comment
(block_comment) @comment
""",
}

# language -> (module, function returning the grammar pointer)
_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
}

# Definition kinds that contain methods.
CONTAINER_KINDS = {"class", "interface", "impl", "type", "module", "enum"}


class Grammar:
    """A loaded language: its parser and compiled symbol query."""

    def __init__(self, name: str, language: Any, query: Any) -> None:
        self.name = name
        self.language = language
        self.query = query
        from tree_sitter import Parser

        self.parser = Parser(language)

    def matches(self, tree: Any) -> list[tuple[int, dict[str, list[Any]]]]:
        from tree_sitter import QueryCursor

        return QueryCursor(self.query).matches(tree.root_node)


@cache
def grammar(lang: str) -> Grammar | None:
    """The grammar for ``lang``, or None when its wheel (or tree-sitter) is not installed."""
    spec = _GRAMMARS.get(lang)
    if spec is None:
        return None
    try:
        from tree_sitter import Language, Query

        module = importlib.import_module(spec[0])
        language = Language(getattr(module, spec[1])())
        query = Query(language, QUERIES[lang])
    except Exception:  # missing wheel, or a grammar version whose node names differ
        return None
    return Grammar(lang, language, query)


def supported_languages() -> list[str]:
    return [lang for lang in _GRAMMARS if grammar(lang) is not None]
