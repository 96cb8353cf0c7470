"""The GraphQL documents the client sends, loaded by name from `documents/*.graphql`.

Shared field sets live in `documents/fragments.graphql`; each document gets exactly the fragments it
uses appended (GraphQL rejects unused fragments), so every loaded document is complete on its own.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass
from functools import cache
from importlib import resources

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

_FRAGMENTS_FILE = "fragments.graphql"


SCOPE_LINE = re.compile(r"^# scope: (\w+)", re.MULTILINE)  # each file's access scope, on its first line


@dataclass(frozen=True)
class Document:
    name: str
    ast: DocumentNode
    text: str
    scope: str | None = None  # the access scope the store asks for it

    @property
    def operation(self) -> OperationDefinitionNode:
        return next(d for d in self.ast.definitions if isinstance(d, OperationDefinitionNode))

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation is OperationType.MUTATION

    @property
    def root_fields(self) -> tuple[str, ...]:
        return tuple(
            s.name.value for s in self.operation.selection_set.selections if isinstance(s, FieldNode)
        )


def _folder() -> resources.abc.Traversable:
    return resources.files(__package__).joinpath("documents")


def names() -> list[str]:
    """Every document name (the file stems), fragments excluded."""
    return sorted(
        f.name.removesuffix(".graphql")
        for f in _folder().iterdir()
        if f.name.endswith(".graphql") and f.name != _FRAGMENTS_FILE
    )


@cache
def _fragments() -> dict[str, FragmentDefinitionNode]:
    ast = parse(_folder().joinpath(_FRAGMENTS_FILE).read_text())
    return {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}


def _used_fragments(node: object) -> list[FragmentDefinitionNode]:
    """Fragments spread in `node`, transitively, in first-use order."""
    available = _fragments()
    found: dict[str, FragmentDefinitionNode] = {}

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            name = spread.name.value
            if name not in found:
                found[name] = available[name]
                visit(available[name], self)

    visit(node, Collect())  # type: ignore[arg-type]
    return list(found.values())


@cache
def load(name: str) -> Document:
    """The named document with its fragments, parsed and printed once."""
    raw = _folder().joinpath(f"{name}.graphql").read_text()
    source = parse(raw)
    ast = DocumentNode(definitions=(*source.definitions, *_used_fragments(source)))
    scope = SCOPE_LINE.match(raw)
    return Document(name=name, ast=ast, text=print_ast(ast), scope=scope.group(1) if scope else None)


def bulk_query(name: str, search: str | None = None) -> str:
    """The text of a bulk inner query, fragments inlined, with `search` as the top-level `query:`.

    A bulk inner query is sent as a string and takes no variables, so the filter is written into it;
    fragments are inlined because the bulk runner's support for named fragments is not documented.
    """
    operation = load(name).operation
    fragments = _fragments()

    class Inline(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> InlineFragmentNode:
            fragment = fragments[spread.name.value]
            return InlineFragmentNode(
                type_condition=fragment.type_condition, selection_set=fragment.selection_set
            )

    inlined: OperationDefinitionNode = visit(operation, Inline())
    if search is not None:
        # Copies, not edits: the loaded document is cached and shared.
        (selected,) = inlined.selection_set.selections
        assert isinstance(selected, FieldNode)
        top = copy(selected)
        argument = ArgumentNode(name=NameNode(value="query"), value=StringValueNode(value=search))
        top.arguments = (*(a for a in top.arguments if a.name.value != "query"), argument)
        inlined = copy(inlined)
        inlined.selection_set = SelectionSetNode(selections=(top,))
    return print_ast(DocumentNode(definitions=(inlined,)))
