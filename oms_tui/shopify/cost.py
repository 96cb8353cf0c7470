"""Shopify's query cost rule, shared by the store client (to size pages) and the simulator (to charge).

Requested cost, computed from the document before running it: a scalar or enum costs 0, an object 1,
a connection 2 + `first` (or `last`) x the cost of one node, multiplied through nesting; a list of
objects costs one element times its `first` or the length of its list argument (`nodes(ids:)`); on an
abstract type, the dearest type-specific fragment counts; a mutation field costs 10. Variables take
their declared defaults. Actual cost applies the same rule to the response, using
the number of nodes returned instead of `first`; Shopify refunds requested - actual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    value_from_ast,
    value_from_ast_untyped,
)

MUTATION_COST = 10
MAX_QUERY_COST = 1000
CONNECTION_COST = 2


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if operation_name is None or (operation.name and operation.name.value == operation_name):
            return operation
    raise ValueError(f"no operation {operation_name!r} in document")


class _Coster:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None
    ) -> None:
        self.schema = schema
        self.variables = dict(variables or {})
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def fields(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode | None
    ) -> tuple[list[tuple[FieldNode, GraphQLField]], list[tuple[GraphQLNamedType, SelectionSetNode]]]:
        """Plain fields of `parent`, and the type-conditioned fragments to price by their maximum."""
        plain: list[tuple[FieldNode, GraphQLField]] = []
        conditioned: list[tuple[GraphQLNamedType, SelectionSetNode]] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                field_def = getattr(parent, "fields", {}).get(selection.name.value)
                if field_def is not None:
                    plain.append((selection, field_def))
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                condition, inner = (
                    (fragment.type_condition, fragment.selection_set) if fragment else (None, None)
                )
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, inner = selection.type_condition, selection.selection_set
            target = self.schema.get_type(condition.name.value) if condition else parent
            if inner is None or target is None:
                continue
            if target is parent or isinstance(parent, GraphQLObjectType):
                plain.extend(self.fields(parent, inner)[0])
            else:
                conditioned.append((target, inner))
        return plain, conditioned

    def args(self, node: FieldNode, field_def: GraphQLField) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for arg in node.arguments:
            arg_def = field_def.args.get(arg.name.value)
            if arg_def is not None:
                values[arg.name.value] = value_from_ast(arg.value, arg_def.type, self.variables)
        return values

    def selection_cost(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        data: Any = None,
        actual: bool = False,
    ) -> int:
        plain, conditioned = self.fields(parent, selection_set)
        total = sum(self.field_cost(node, field_def, data, actual) for node, field_def in plain)
        if conditioned:
            total += max(self.selection_cost(target, inner, data, actual) for target, inner in conditioned)
        return total

    def field_cost(self, node: FieldNode, field_def: GraphQLField, parent_data: Any, actual: bool) -> int:
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        key = node.alias.value if node.alias else node.name.value
        data = parent_data.get(key) if isinstance(parent_data, dict) else None
        if named.name.endswith("Connection"):
            return self.connection_cost(node, field_def, named, data, actual)
        args = self.args(node, field_def)
        if actual:
            items = data if isinstance(data, list) else [data]
            return sum(
                1 + self.selection_cost(named, node.selection_set, item, True) for item in items if item
            )
        return self.list_length(field_def, args) * (1 + self.selection_cost(named, node.selection_set))

    @staticmethod
    def list_length(field_def: GraphQLField, args: dict[str, Any]) -> int:
        """A list of objects costs one element times its `first`, or the length of its list argument
        (`nodes(ids:)`, `quantities(names:)`); an object, or a list with neither, counts once."""
        wrapped = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
        if not isinstance(wrapped, GraphQLList):
            return 1
        listed = next((value for value in args.values() if isinstance(value, list)), None)
        return len(listed) if listed is not None else int(args.get("first") or 1)

    def connection_cost(
        self, node: FieldNode, field_def: GraphQLField, connection: GraphQLNamedType, data: Any, actual: bool
    ) -> int:
        assert isinstance(connection, GraphQLObjectType)
        node_type = get_named_type(connection.fields["nodes"].type)
        per_node_sets: list[tuple[str, SelectionSetNode | None, FieldNode | None]] = []
        for sub, _ in self.fields(connection, node.selection_set)[0]:
            if sub.name.value == "nodes":
                per_node_sets.append(("nodes", sub.selection_set, None))
            elif sub.name.value == "edges":
                edge_type = get_named_type(connection.fields["edges"].type)
                for edge_field, _ in self.fields(edge_type, sub.selection_set)[0]:
                    if edge_field.name.value == "node":
                        per_node_sets.append(("edges", edge_field.selection_set, edge_field))
        if actual:
            if not isinstance(data, dict):
                return CONNECTION_COST
            return CONNECTION_COST + max(
                (
                    self._returned_nodes_cost(node_type, data, sub_key, selection, edge)
                    for sub_key, selection, edge in per_node_sets
                ),
                default=0,
            )
        args = self.args(node, field_def)
        page = args.get("first") or args.get("last") or 0
        one = max(
            (1 + self.selection_cost(node_type, selection) for _, selection, _ in per_node_sets), default=1
        )
        return CONNECTION_COST + page * one

    def _returned_nodes_cost(
        self,
        node_type: GraphQLNamedType,
        data: dict[str, Any],
        sub_key: str,
        selection: SelectionSetNode | None,
        edge: FieldNode | None,
    ) -> int:
        items = data.get(sub_key) or []
        if edge is not None:
            node_key = edge.alias.value if edge.alias else "node"
            items = [item.get(node_key) for item in items if isinstance(item, dict)]
        return sum(1 + self.selection_cost(node_type, selection, item, True) for item in items if item)


def _root_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    data: Any,
    actual: bool,
) -> int:
    operation = _operation(document, operation_name)
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions
        if definition.default_value is not None
    }
    coster = _Coster(schema, document, {**defaults, **(variables or {})})
    if operation.operation == OperationType.MUTATION:
        root = schema.mutation_type
        assert root is not None
        return MUTATION_COST * len(coster.fields(root, operation.selection_set)[0])
    root = schema.query_type
    assert root is not None
    return coster.selection_cost(root, operation.selection_set, data, actual)


def cost_shape(variables: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """What of `variables` the rule reads: numbers (`first`, a nested size) and the lengths of lists.
    A cursor, a search string or an id costs nothing: two queries of the same shape cost the same."""
    return tuple(
        sorted(
            (name, len(value) if isinstance(value, list) else value)
            for name, value in variables.items()
            if isinstance(value, (int, list))
        )
    )


def requested_cost(
    schema: GraphQLSchema,
    document_ast: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """What Shopify charges up front for this operation (the bucket must hold it)."""
    return _root_cost(schema, document_ast, variables, operation_name, None, actual=False)


def actual_cost(
    schema: GraphQLSchema,
    document_ast: DocumentNode,
    variables: Mapping[str, Any] | None,
    data: Mapping[str, Any] | None,
    operation_name: str | None = None,
) -> int:
    """The cost of what was returned: connections priced by the nodes they actually hold."""
    return _root_cost(schema, document_ast, variables, operation_name, dict(data or {}), actual=True)
