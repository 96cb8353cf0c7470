"""Requested query cost by Shopify's rule, and the largest page size that fits a budget.

The rule (NOTES.md): scalars and enums cost 0, an object 1, a connection 2 + first x (cost of one node),
multiplied through nesting; a mutation field costs 10; one query may cost at most 1,000. Two cases the
rule leaves open are settled here: a list of objects costs one element times its `first` argument, or
times the length of its list argument (`nodes(ids:)`, `quantities(names:)`), or once when it has neither;
an abstract type costs the most expensive of its possible types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

MAX_QUERY_COST = 1000
MAX_PAGE_SIZE = 250
MUTATION_FIELD_COST = 10


def cost_of(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> int:
    """The requested cost of the document's (single) operation with these variables."""
    return _Walker(schema, document, variables).operation_cost()


def largest_first(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], budget: int
) -> int:
    """The largest `$first` (at most 250) whose cost fits `budget` (and the 1,000 per-query cap)."""
    budget = min(budget, MAX_QUERY_COST)

    def fits(first: int) -> bool:
        return cost_of(schema, document, {**variables, "first": first}) <= budget

    if not fits(1):
        raise ValueError(f"even one item per page costs more than {budget} points")
    low, high = 1, MAX_PAGE_SIZE  # fits(low) holds; cost grows with first
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _is_connection(named: GraphQLObjectType) -> bool:
    return named.name.endswith("Connection") and ("nodes" in named.fields or "edges" in named.fields)


class _Walker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]):
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        (self.operation,) = (d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        defaults = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in self.operation.variable_definitions
            if d.default_value is not None
        }
        self.variables: dict[str, Any] = {**defaults, **variables}

    def operation_cost(self) -> int:
        if self.operation.operation is OperationType.MUTATION:
            return MUTATION_FIELD_COST * len(self.operation.selection_set.selections)
        root = self.schema.query_type
        assert root is not None
        return self.selection_cost(root, self.operation.selection_set)

    def selection_cost(self, parent: GraphQLCompositeType, selection_set: SelectionSetNode) -> int:
        if is_abstract_type(parent):
            possible = self.schema.get_possible_types(parent)  # type: ignore[arg-type]
            return max((self.object_cost(t, selection_set) for t in possible), default=0)
        assert isinstance(parent, GraphQLObjectType)
        return self.object_cost(parent, selection_set)

    def object_cost(self, parent: GraphQLObjectType, selection_set: SelectionSetNode) -> int:
        return sum(
            self.field_cost(parent.fields[f.name.value], f) for f in self.fields(parent, selection_set)
        )

    def fields(self, parent: GraphQLObjectType, selection_set: SelectionSetNode) -> Iterator[FieldNode]:
        """The fields selected on a value of concrete type `parent`, through applicable fragments."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value != "__typename":
                    yield selection
            elif isinstance(selection, InlineFragmentNode):
                if self.applies(parent, selection.type_condition):
                    yield from self.fields(parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self.applies(parent, fragment.type_condition):
                    yield from self.fields(parent, fragment.selection_set)

    def applies(self, parent: GraphQLObjectType, condition: NamedTypeNode | None) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        return named is parent or (is_abstract_type(named) and self.schema.is_sub_type(named, parent))  # type: ignore[arg-type]

    def field_cost(self, field: GraphQLField, node: FieldNode) -> int:
        named = get_named_type(field.type)
        if is_leaf_type(named):
            return 0
        assert node.selection_set is not None
        arguments = self.arguments(node)
        if isinstance(named, GraphQLObjectType) and _is_connection(named):
            size = arguments.get("first") or arguments.get("last")
            if size is None:
                raise ValueError(f"connection {node.name.value} needs `first` or `last`")
            return 2 + size * self.node_cost(named, node.selection_set)
        one = 1 + self.selection_cost(named, node.selection_set)  # type: ignore[arg-type]
        if not is_list_type(get_nullable_type(field.type)):  # type: ignore[arg-type]
            return one
        return one * _list_size(arguments)

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as given; only sizes matter here, so nothing else is checked."""
        given = {a.name.value: value_from_ast_untyped(a.value, self.variables) for a in node.arguments}
        return {name: value for name, value in given.items() if value is not Undefined}

    def node_cost(self, connection: GraphQLObjectType, selection_set: SelectionSetNode) -> int:
        """The cost of one node of a connection, selected through `nodes` or `edges { node }`."""
        costs = [0]
        for field in self.fields(connection, selection_set):
            name = field.name.value
            if name not in ("nodes", "edges") or field.selection_set is None:
                continue
            if name == "nodes":
                costs.append(self.selection_cost(_named(connection, "nodes"), field.selection_set))
                continue
            edge = _named(connection, "edges")
            assert isinstance(edge, GraphQLObjectType)
            for inner in self.fields(edge, field.selection_set):
                if inner.name.value == "node" and inner.selection_set is not None:
                    costs.append(self.selection_cost(_named(edge, "node"), inner.selection_set))
        return 1 + max(costs)


def _named(parent: GraphQLObjectType, field: str) -> GraphQLCompositeType:
    return get_named_type(parent.fields[field].type)


def _list_size(arguments: Mapping[str, Any]) -> int:
    if arguments.get("first") is not None:
        return int(arguments["first"])
    sized = [len(value) for value in arguments.values() if isinstance(value, list)]
    return sized[0] if sized else 1
