"""Which settings of community.yaml does the code read? A static answer, from mypy's own type inference.

Why mypy: a setting is a field of a pydantic model under config/, and many fields share a name (``enabled``,
``channel``, ``schedule``), so looking for ``.enabled`` in the source would call every ``enabled`` read as soon
as one is. mypy knows the type of the expression before each ``.name``, so a read of ``settings.channel``
counts for the model ``settings`` is, and only for it.

What counts as a read, in product code (not tests, not benches):
- ``x.field`` where ``x`` is (a union containing) a config model, or a type variable or protocol a model
  satisfies (``ConfiguredRitual`` reads ``settings.enabled`` through the ``Switchable`` protocol);
- ``x.model_dump()`` and ``getattr(x, ...)``, which read every field of ``x``'s model (and nested ones).
Reads inside a model's own ``field_validator`` / ``model_validator`` do not count: checking a value is not
using it. Imports outside the given packages are not followed (they cannot read our settings), which keeps
the whole analysis to a few seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mypy import build
from mypy.find_sources import create_source_list
from mypy.nodes import CallExpr, ClassDef, Decorator, MemberExpr, MypyFile, NameExpr, TypeInfo, Var
from mypy.options import Options
from mypy.traverser import NameAndMemberCollector
from mypy.types import Instance, ProperType, Type, TypeVarType, UnionType, get_proper_type

PRODUCT_PACKAGES = ("copbot", "bot", "adapters", "rituals", "storage", "config")
STRICT_BASE = "config.base.Strict"
VALIDATORS = {"field_validator", "model_validator"}
DUMPS = {"model_dump", "model_dump_json"}


@dataclass(frozen=True, order=True)
class Setting:
    """One field of one config model, e.g. ``config.onboarding.OnboardingConfig.ground_rules``."""

    model: str
    field: str

    def __str__(self) -> str:
        return f"{self.model.rsplit('.', 1)[-1]}.{self.field}"


def _options(root: Path) -> Options:
    options = Options()
    options.python_version = (3, 11)
    options.export_types = True  # the point: the type of every expression
    options.preserve_asts = True
    options.incremental = False  # a cached module is not type-checked again, so its expressions would be missing
    options.follow_imports = "skip"  # third-party code cannot read our settings
    options.ignore_missing_imports = True
    options.check_untyped_defs = True
    options.cache_dir = os.devnull
    return options


def _members(node: MypyFile | Decorator) -> list[MemberExpr]:
    collector = NameAndMemberCollector()
    node.accept(collector)
    return collector.member_exprs


def _instances(typ: Type | None) -> Iterator[Instance]:
    """The class instances a type may be: unions are opened, a type variable stands for its bound."""
    proper: ProperType | None = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, Instance):
        yield proper
    elif isinstance(proper, UnionType):
        for item in proper.items:
            yield from _instances(item)
    elif isinstance(proper, TypeVarType):
        yield from _instances(proper.upper_bound)


class SettingsReads:
    """Builds ``packages`` (plus ``extra`` files) with mypy and answers which config model fields are read."""

    def __init__(self, root: Path, packages: Sequence[str] = PRODUCT_PACKAGES, extra: Sequence[Path] = ()) -> None:
        options = _options(root)
        here = Path.cwd()
        os.chdir(root)  # mypy names modules from paths relative to the working directory
        try:
            sources = create_source_list([*packages, *map(str, extra)], options)
            result = build.build(sources=sources, options=options)
        finally:
            os.chdir(here)
        self._types = result.types
        self._files = {name: tree for name, tree in result.files.items() if name in {s.module for s in sources}}
        self.models = self._find_models()
        self.reads: set[Setting] = set()
        self._collect()

    def settings(self) -> list[Setting]:
        return sorted(Setting(model, field) for model, fields in self.models.items() for field in fields)

    def unread(self) -> list[Setting]:
        return [s for s in self.settings() if s not in self.reads]

    # --- finding the models and the reads ----------------------------------------------------------

    def _find_models(self) -> dict[str, tuple[str, ...]]:
        """Every class deriving from ``Strict``, with the fields an admin may write."""
        models: dict[str, tuple[str, ...]] = {}
        for name, tree in self._files.items():
            for symbol in tree.names.values():
                info = symbol.node
                if not isinstance(info, TypeInfo) or info.module_name != name:
                    continue
                if info.fullname == STRICT_BASE or not any(b.fullname == STRICT_BASE for b in info.mro):
                    continue
                fields = tuple(
                    field for field, sym in info.names.items()
                    if isinstance(sym.node, Var) and not sym.node.is_classvar and not field.startswith("_")
                    and field != "model_config"
                )
                models[info.fullname] = fields
        return models

    def _read_all(self, model: str) -> None:
        """``model_dump`` / ``getattr``: every field, and those of the models nested in it."""
        self.reads.update(Setting(model, field) for field in self.models.get(model, ()))

    def _read(self, typ: Type | None, field: str) -> None:
        for instance in _instances(typ):
            info = instance.type
            if info.is_protocol:  # a structural type: a read through it reads that field of every model that has it
                for model, fields in self.models.items():
                    if field in fields:
                        self.reads.add(Setting(model, field))
                continue
            for base in info.mro:
                if base.fullname in self.models:
                    if field in DUMPS:
                        self._read_all_nested(base.fullname)
                    elif field in self.models[base.fullname]:
                        self.reads.add(Setting(base.fullname, field))

    def _read_all_nested(self, model: str, seen: set[str] | None = None) -> None:
        seen = seen if seen is not None else set()
        if model in seen:
            return
        seen.add(model)
        self._read_all(model)
        for nested in self._nested_models(model):
            self._read_all_nested(nested, seen)

    def _nested_models(self, model: str) -> Iterable[str]:
        for tree in self._files.values():
            for symbol in tree.names.values():
                info = symbol.node
                if isinstance(info, TypeInfo) and info.fullname == model:
                    for field in self.models[model]:
                        node = info.names[field].node
                        if isinstance(node, Var) and node.type is not None:
                            yield from (i.type.fullname for i in _nested_instances(node.type))

    def _validator_members(self, tree: MypyFile) -> set[int]:
        """Attribute reads inside the models' own validators (by identity), which do not count."""
        inside: set[int] = set()
        for definition in tree.defs:
            if not isinstance(definition, ClassDef):
                continue
            for statement in definition.defs.body:
                if isinstance(statement, Decorator) and any(
                    _decorator_name(d) in VALIDATORS for d in statement.decorators
                ):
                    inside.update(id(m) for m in _members(statement))
        return inside

    def _collect(self) -> None:
        for tree in self._files.values():
            skip = self._validator_members(tree)
            for member in _members(tree):
                if id(member) not in skip:
                    self._read(self._types.get(member.expr), member.name)
        for expr in list(self._types):
            if (
                isinstance(expr, CallExpr)
                and isinstance(expr.callee, NameExpr)
                and expr.callee.fullname == "builtins.getattr"
                and expr.args
            ):
                for instance in _instances(self._types.get(expr.args[0])):
                    for base in instance.type.mro:
                        if base.fullname in self.models:
                            self._read_all(base.fullname)


def _nested_instances(typ: Type) -> Iterator[Instance]:
    """Instances inside a field's type: ``X | None``, ``list[X]``, ``dict[str, X]``."""
    for instance in _instances(typ):
        yield instance
        for arg in instance.args:
            yield from _nested_instances(arg)


def _decorator_name(decorator: object) -> str | None:
    if isinstance(decorator, NameExpr | MemberExpr):
        return decorator.name
    if isinstance(decorator, CallExpr):
        return _decorator_name(decorator.callee)
    return None
