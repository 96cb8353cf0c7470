"""The part of the Admin schema the client's documents touch, shipped with the package.

The client sizes pages and paces requests by walking its documents against a schema; the full 2026-04
schema is 3.4 MB and takes seconds to build, so the package carries only the types and fields the
documents use (`admin-subset.graphql`, built from the full schema by `subset_sdl`; a test keeps it
equal to what the full schema and the current documents give).

Regenerate: python -m oms_tui.store.schema path/to/admin-2026-04.graphql
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import resources

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    ast_from_value,
    build_schema,
    get_named_type,
    print_ast,
    specified_scalar_types,
    visit,
)
from graphql.pyutils import Undefined

SUBSET_FILE = "admin-subset.graphql"
_GENERATED = "# Generated from the full Admin schema by `python -m oms_tui.store.schema`: do not edit."


@cache
def store_schema() -> GraphQLSchema:
    """The shipped schema subset, built once."""
    return build_schema(resources.files(__package__).joinpath(SUBSET_FILE).read_text())


def subset_sdl(full: GraphQLSchema, documents: Iterable[DocumentNode]) -> str:
    """SDL for the fields `documents` select, their argument types and everything those need."""
    fields: dict[str, set[str]] = defaultdict(set)
    named: set[str] = set()
    type_info = TypeInfo(full)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent, field = type_info.get_parent_type(), type_info.get_field_def()
            if parent is not None and field is not None and node.name.value != "__typename":
                fields[parent.name].add(node.name.value)
                named.add(get_named_type(field.type).name)
                named.update(get_named_type(a.type).name for a in field.args.values())

    for document in documents:
        visit(document, TypeInfoVisitor(type_info, Collect()))
    named.update(fields)

    pending, kept = list(named), set()
    while pending:  # input types and enums are kept whole, with everything they reference
        name = pending.pop()
        if name in kept:
            continue
        kept.add(name)
        kind = full.type_map[name]
        if isinstance(kind, GraphQLInputObjectType):
            pending += [get_named_type(f.type).name for f in kind.fields.values()]

    for name in kept:  # an interface shows the fields its kept implementers select, so they keep it
        kind = full.type_map[name]
        if isinstance(kind, GraphQLInterfaceType):
            implementers = [t.name for t in full.get_possible_types(kind) if t.name in kept]
            fields[name] |= {f for f in kind.fields if any(f in fields[t] for t in implementers)}

    blocks = [_print(full.type_map[name], fields, kept) for name in sorted(kept)]
    roots = f"schema {{\n  query: {full.query_type}\n  mutation: {full.mutation_type}\n}}"
    return "\n\n".join([_GENERATED, roots, *(b for b in blocks if b)]) + "\n"


def _print(kind: GraphQLNamedType, fields: dict[str, set[str]], kept: set[str]) -> str:
    if isinstance(kind, GraphQLScalarType):
        return "" if kind.name in specified_scalar_types else f"scalar {kind.name}"
    if isinstance(kind, GraphQLEnumType):
        return _block(f"enum {kind.name}", list(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return _block(f"input {kind.name}", [_value(n, f) for n, f in kind.fields.items()])
    assert isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
    used = sorted(fields[kind.name])
    interfaces = [i.name for i in kind.interfaces if i.name in kept and fields[i.name] <= set(used)]
    keyword = "type" if isinstance(kind, GraphQLObjectType) else "interface"
    head = f"{keyword} {kind.name}" + (f" implements {' & '.join(interfaces)}" if interfaces else "")
    lines = []
    for name in used:
        field = kind.fields[name]
        arguments = ", ".join(_value(n, a) for n, a in field.args.items())
        lines.append(f"{name}{f'({arguments})' if arguments else ''}: {field.type}")
    return _block(head, lines)


def _value(name: str, value: GraphQLArgument | GraphQLInputField) -> str:
    kind, default = value.type, value.default_value
    shown = ast_from_value(default, kind) if default is not Undefined else None
    return f"{name}: {kind}" + (f" = {print_ast(shown)}" if shown is not None else "")


def _block(head: str, lines: list[str]) -> str:
    return head + " {\n" + "".join(f"  {line}\n" for line in lines) + "}"


if __name__ == "__main__":
    from . import documents

    with open(sys.argv[1]) as sdl:
        full_schema = build_schema(sdl.read(), assume_valid_sdl=True)
    sys.stdout.write(subset_sdl(full_schema, [documents.load(n).ast for n in documents.names()]))
