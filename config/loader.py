"""Read community.yaml into a validated CommunityConfig, or list every problem with file, line and column.

An admin edits this file by hand, often on a Friday afternoon. A refusal is only useful if it says where
(``PATH:LINE:COL``), what is wrong, and what to write instead, for every problem at once, so one edit
round fixes the whole file. YAML is therefore composed into nodes first (nodes keep their position),
then checked for things PyYAML lets slip (duplicate keys), then handed to the pydantic models; each
pydantic error's ``loc`` is walked back down the node tree to find where to point.

A hostile or broken file must not hang or crash the bot that reads it (the running bot re-reads it on every
edit), so the file is read with limits: only a regular file (a FIFO or a device would block or never end),
at most :data:`MAX_CONFIG_BYTES`, nested at most :data:`MAX_DEPTH` levels (aliases included), at most
:data:`MAX_VALUES` values, aliases expanded (a 600-byte "billion laughs" expands to 387 million),
no alias inside itself, numbers and dates a setting could hold; past :data:`MAX_PROBLEMS` problems the rest
are counted, not listed. Each of these is a located problem like any other.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import stat
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from config.models import CommunityConfig
from config.people import ConfigProblem, Origin, people_refs
from config.retired import retired_advice

Loc = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Yaml12(yaml.SafeLoader):
    """PyYAML's safe loader, reading plain values the way YAML 1.2 (and so every editor) does.

    Why: PyYAML reads YAML 1.1, where yes, no, on and off are booleans, 10:30 is the number 630 and
    2027-01-04 a date, while the YAML language server (VS Code) checks the file against the JSON Schema
    reading YAML 1.2, where all of those are text. ``enabled: yes`` used to pass ``copbot check`` and be
    flagged by the editor. Now only true and false are booleans (config/base.py refuses yes with the fix),
    integers are plain digits, and dates are text that the settings parse.
    """


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Yaml12.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first])
_Yaml12.add_implicit_resolver(_INT_TAG, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))

MAX_CONFIG_BYTES = 256 * 1024
"""The largest community.yaml read (the shipped one, every setting explained in comments, is 27 KB)."""
MAX_DEPTH = 40
"""The deepest nesting of sections and lists, counting what aliases bring in (the shipped file needs 6)."""
MAX_VALUES = 10_000
"""The most values (scalars, lists, sections) the file may hold, its aliases expanded (the shipped file holds
about 300; a bank of 1,500 prompt questions is 1,500). PyYAML reads ~10,000 values a second on a busy machine,
so this also keeps a refusal within a second or two."""
MAX_PROBLEMS = 100
"""Problems listed one by one; past these, one more line says how many were not shown."""
_MAX_INT_DIGITS = 18  # every number a setting takes fits in 64 bits with room to spare


class ConfigError(Exception):
    """The file was refused; ``problems`` holds every problem found, in file order."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def read_yaml(text: str) -> Any:
    """The data in YAML ``text`` as copbot reads it (YAML 1.2 booleans), without validating it."""
    return yaml.load(text, Loader=_LimitedLoader)  # a SafeLoader subclass: no arbitrary objects


def load_config(path: Path) -> CommunityConfig:
    """Read and validate the file at ``path``; raise ConfigError (never OSError) if it cannot be used."""
    return parse_config_bytes(read_config_bytes(path), str(path))


def read_config_bytes(path: Path) -> bytes:
    """The file's bytes, or a ConfigError saying in one line why it is not a file we can use.

    Opened without blocking (a FIFO with no writer would wait forever) and checked to be a regular file
    (a device such as /dev/zero never ends) no bigger than :data:`MAX_CONFIG_BYTES`.
    """
    shown = str(path)

    def refuse(message: str) -> ConfigError:
        return ConfigError([ConfigProblem(shown, 0, 0, message)])

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise refuse(f"cannot read the file ({reason}); check the path (pass --config PATH) and that the bot "
                     "may read it") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise refuse(f"this is {_file_kind(info.st_mode)}, not a file; point --config at community.yaml itself")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_CONFIG_BYTES:
            raise refuse(f"the file is {info.st_size:,} bytes; community.yaml may be at most {MAX_CONFIG_BYTES:,}")
        try:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise refuse(f"cannot read the file ({exc.strerror or exc})") from exc
    if len(data) > MAX_CONFIG_BYTES:  # it grew while we looked
        raise refuse(f"the file is over {MAX_CONFIG_BYTES:,} bytes; community.yaml may be at most that")
    return data


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def parse_config_bytes(data: bytes, path: str) -> CommunityConfig:
    """Validate the raw bytes of a config file (UTF-8, a BOM is tolerated); a bad byte is a located problem."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError([ConfigProblem(path, 0, 0, f"the file is {len(data):,} bytes; community.yaml may be at "
                                                     f"most {MAX_CONFIG_BYTES:,}")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            [ConfigProblem(path, line, col, "the file is not UTF-8 text; save it as UTF-8 and try again")]
        ) from exc
    return parse_config(text, path)


def parse_config(text: str, path: str) -> CommunityConfig:
    """Validate YAML ``text``; ``path`` is only used to label problems (e.g. ``community.yaml``)."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError([ConfigProblem(path, 0, 0, f"the text is {len(text):,} characters; community.yaml may "
                                                     f"be at most {MAX_CONFIG_BYTES:,} bytes")])
    try:
        loader = _LimitedLoader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as exc:
        raise ConfigError([_reader_problem(exc, text, path)]) from exc
    try:
        try:
            root = loader.get_single_node()
        except _Limit as exc:
            raise ConfigError([_limit_problem(exc, path)]) from exc
        except yaml.MarkedYAMLError as exc:
            raise ConfigError([_syntax_problem(exc, path)]) from exc
        except yaml.reader.ReaderError as exc:
            raise ConfigError([_reader_problem(exc, text, path)]) from exc
        if root is None:
            raise ConfigError(
                [
                    ConfigProblem(
                        path,
                        1,
                        1,
                        "the file is empty; it needs at least a 'community:' section with 'id', 'name' and "
                        "'channels' (see the example community.yaml shipped with copbot)",
                    )
                ]
            )
        if not isinstance(root, yaml.MappingNode):
            line, col = _position(root)
            raise ConfigError(
                [
                    ConfigProblem(
                        path,
                        line,
                        col,
                        f"the top level must be keys such as 'community:', 'roles:' and 'rituals:', "
                        f"but it is {_node_kind(root)}; start the file with 'community:' at the left margin",
                    )
                ]
            )
        try:
            _check_expansion(root)
        except _Limit as exc:
            raise ConfigError([_limit_problem(exc, path)]) from exc
        problems = list(_duplicate_keys(root, (), path))
        try:
            data = loader.construct_document(root)
        except _Limit as exc:
            raise ConfigError([*problems, _limit_problem(exc, path)]) from exc
        except yaml.MarkedYAMLError as exc:
            raise ConfigError([*problems, _syntax_problem(exc, path)]) from exc
    finally:
        loader.dispose()

    try:
        config = CommunityConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems.extend(_validation_problem(error, root, path) for error in errors[:MAX_PROBLEMS])
        if len(errors) > MAX_PROBLEMS:
            problems.append(ConfigProblem(path, 0, 0, f"... and {len(errors) - MAX_PROBLEMS:,} more problems not "
                                                      "listed; fix those above and check again"))
    except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:  # a validator that did not expect it
        problems.append(ConfigProblem(path, 0, 0, f"the settings could not be checked ({type(exc).__name__}: "
                                                  f"{str(exc)[:200]}); please report this with the file"))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.line < 1, p.line, p.col)))
    # Where each person is named, so a reference the platform cannot resolve is reported at its line.
    config._origin = Origin(path, {placed.loc: _position(_walk(root, placed.loc)[0]) for placed in people_refs(config)})
    return config


# ------------------------------------------------------------------------------------------------- limits


class _Limit(yaml.MarkedYAMLError):
    """A value this module refuses at ``problem_mark`` (a limit met, a date that does not exist): not a syntax
    error, so it is not worded as one; ``problem`` says what is wrong in admin words."""


class _LimitedLoader(_Yaml12):
    """Our YAML 1.2 reading (:class:`_Yaml12`), refusing nesting deeper than :data:`MAX_DEPTH` before it costs a deep
    recursion, and numbers and dates no setting could hold (PyYAML would raise a bare ValueError, with no position)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        self._values += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Limit(problem=f"nested more than {MAX_DEPTH} levels deep; no setting needs that many",
                             problem_mark=mark)
            if self._values > MAX_VALUES:
                raise _Limit(problem=f"the file holds more than {MAX_VALUES:,} values (keys, items and settings); "
                                     "no community needs that many: look for a runaway list or pasted data here",
                             problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML's constructors raise bare Python errors for values they cannot read (``!!int community``):
        turn them into a problem at the value's position."""
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, ArithmeticError, AttributeError, LookupError) as exc:
            # AttributeError: PyYAML's constructors assume the text fits the tag (``!!timestamp community:``)
            shown = str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else _node_kind(node)
            raise _Limit(problem=f"{shown!r} cannot be read as {node.tag.rsplit(':', 1)[-1]} ({str(exc)[:80]}); "
                                 "check the value, and any !!tag written before it",
                         problem_mark=node.start_mark) from exc


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    digits = sum(ch.isdigit() for ch in str(node.value))
    if digits > _MAX_INT_DIGITS:
        raise _Limit(problem=f"the number {str(node.value)[:20]}... has {digits} digits; no setting takes a "
                             "number that large", problem_mark=node.start_mark)
    return loader.construct_yaml_int(node)  # type: ignore[no-any-return]


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> datetime.date | datetime.datetime:
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[no-any-return]
    except AttributeError as exc:  # ``!!timestamp`` forced on text that is no date: PyYAML's regex found nothing
        raise _Limit(problem=f"{str(node.value)[:40]!r} is not a date; write it as YYYY-MM-DD, or drop the "
                             "!!timestamp before it", problem_mark=node.start_mark) from exc
    except (ValueError, OverflowError) as exc:
        raise _Limit(problem=f"{str(node.value)[:40]!r} is not a real date ({exc}); write a date that exists, "
                             "as YYYY-MM-DD", problem_mark=node.start_mark) from exc


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LimitedLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse an alias inside its own value, and a file whose aliases expand past the limits.

    Walked without recursion, each node once (an alias is the same node object as its anchor, so a shared
    value is measured once and counted as often as it is used).
    """
    values: dict[int, int] = {}  # id(node) -> values it expands to
    height: dict[int, int] = {}  # id(node) -> deepest nesting below it, itself included
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, Iterator[yaml.Node]]] = [(root, _children(root))]
    on_path.add(id(root))
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is not None:
            if id(child) in on_path:
                raise _Limit(problem="this value contains itself through an alias (*name inside &name); write the "
                                     "value out instead", problem_mark=child.start_mark)
            if id(child) not in values:
                on_path.add(id(child))
                stack.append((child, _children(child)))
            continue
        stack.pop()
        on_path.discard(id(node))
        kids = list(_children(node))
        values[id(node)] = 1 + sum(values[id(k)] for k in kids)
        height[id(node)] = 1 + max((height[id(k)] for k in kids), default=0)
        if values[id(node)] > MAX_VALUES:
            raise _Limit(problem=f"this value expands to more than {MAX_VALUES:,} values through its aliases "
                                 "(*name); write it out, or use fewer aliases", problem_mark=node.start_mark)
        if height[id(node)] > MAX_DEPTH:
            raise _Limit(problem=f"nested more than {MAX_DEPTH} levels deep through its aliases (*name); no "
                                 "setting needs that many", problem_mark=node.start_mark)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _limit_problem(exc: _Limit, path: str) -> ConfigProblem:
    mark = exc.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return ConfigProblem(path, line, col, str(exc.problem))


def _reader_problem(exc: yaml.reader.ReaderError, text: str, path: str) -> ConfigProblem:
    """A character YAML does not allow (a NUL byte, a control character), located."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
    return ConfigProblem(path, line, col, f"the file contains a control character ({what}) that YAML does not "
                                          "allow; delete it (it may come from copying text out of another program)")


# ---------------------------------------------------------------------------------------------- YAML syntax


def _syntax_problem(exc: yaml.MarkedYAMLError, path: str) -> ConfigProblem:
    """A YAML error in admin words: PyYAML's own text plus the usual fix for that kind of mistake."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = exc.problem or exc.context or "the YAML cannot be read"
    text = f"{exc.context}, {what}" if exc.context and exc.problem else what
    lowered = text.lower()
    if "\\t" in text or "tab" in lowered:
        hint = "indent with spaces, not tabs"
    elif "alias" in lowered or "anchor" in lowered:
        hint = "a value starting with * or & must be in quotes, e.g. cron: \"* * * * *\""
    elif "mapping values are not allowed" in lowered:
        hint = "text containing ': ' must be in quotes, e.g. intro: \"Question: what now?\""
    elif "expected a single document" in lowered:
        hint = "remove the '---' line; the file holds one document"
    elif "could not find expected ':'" in lowered or "expected <block end>" in lowered:
        hint = "check the indentation of this line against the one above it, and that each key ends with ':'"
    elif "'@'" in text or "cannot start any token" in lowered:
        hint = 'a value starting with @ or ` must be in quotes, e.g. - "@ana"'
    else:
        hint = "check the indentation and put text with special characters (: # * & { [ @) in quotes"
    return ConfigProblem(path, line, col, f"YAML syntax error: {text}; {hint}")


def _duplicate_keys(node: yaml.Node, loc: Loc, path: str) -> Iterator[ConfigProblem]:
    """Keys written twice in one mapping. PyYAML silently keeps the last, which hides an admin's edit."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG:
                name = str(key.value)
                first = seen.get(name)
                if first is not None:
                    line, col = _position(key)
                    yield ConfigProblem(
                        path,
                        line,
                        col,
                        f"key {name!r} appears twice in {_where(loc)} (first at line {_position(first)[0]}); "
                        "keep one of them and delete the other",
                    )
                seen[name] = key
                yield from _duplicate_keys(value, (*loc, name), path)
            else:
                yield from _duplicate_keys(value, loc, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, index), path)


# ------------------------------------------------------------------------------------- pydantic -> location


def _validation_problem(error: ErrorDetails, root: yaml.MappingNode, path: str) -> ConfigProblem:
    """Turn one pydantic error into a located problem with a suggestion."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    loc: Loc = tuple(error["loc"])
    if kind == "located" and "loc" in ctx:
        loc = tuple(ctx["loc"])

    if kind == "extra_forbidden" and loc:
        parent, matched = _walk(root, loc[:-1])
        key = loc[-1]
        key_node = _key_node(parent, str(key))
        line, col = _position(key_node if key_node is not None else parent)
        retired = retired_advice(loc)
        if retired is not None:
            return ConfigProblem(path, line, col, retired)
        allowed = _allowed_keys(loc[:-1])
        guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        if guess:
            advice = f"did you mean {guess[0]!r}?"
        elif allowed:
            advice = f"remove it, or use one of: {', '.join(allowed)}"
        else:
            advice = "remove it"
        return ConfigProblem(path, line, col, f"unknown key {str(key)!r} in {_where(matched)}; {advice}")

    if kind == "missing" and loc:
        parent, matched = _walk(root, loc[:-1])
        line, col = _position(parent)
        key = str(loc[-1])
        about = _field_description(loc)
        about = f" ({about})" if about else ""
        return ConfigProblem(
            path,
            line,
            col,
            f"{_where(matched)} is missing the required key {key!r}{about}; add '{key}:' here, at this indentation",
        )

    node, matched = _walk(root, loc)
    line, col = _position(node)
    return ConfigProblem(path, line, col, f"{_where(matched)}: {_explain(error, ctx, loc)}")


def _explain(error: ErrorDetails, ctx: dict[str, Any], loc: Loc) -> str:
    """What is wrong with a value, and what to write instead, for the error kinds an admin meets."""
    kind = error["type"]
    value = error.get("input")
    shown = _show(value)
    if kind == "located":
        return str(ctx.get("message", error["msg"]))
    if kind in ("value_error", "assertion_error"):
        message = error["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message
    if kind in ("bool_type", "bool_parsing"):
        return f"{shown} is not a yes/no value; write true or false"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{shown} is not a whole number; write digits only, e.g. 3"
    if kind in ("float_type", "float_parsing"):
        return f"{shown} is not a number; write e.g. 1.5"
    if kind == "string_type":
        return f"expected text but found {shown}; write it on one line, in quotes if it contains ': ' or '#'"
    if kind == "string_pattern_mismatch":
        # The schema's patternErrorMessage, which editors show for the same mistake: one wording for both.
        hint = _field_extra(loc, "patternErrorMessage") or _field_description(loc) or "see the example community.yaml"
        return f"{shown} is not allowed here; {hint}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"expected a list but found {shown}; write each item on its own line starting with '- '"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a section of keys (indented 'key: value' lines below it) but found {shown}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} item{'s' if least != 1 else ''}; add them as lines starting with '- '"
    if kind == "too_long":
        return f"has too many items; keep at most {ctx.get('max_length')}"
    if kind in ("string_too_short", "string_too_long"):
        return error["msg"].replace("String should have", "must have")
    if kind in ("literal_error", "enum"):
        return f"{shown} is not allowed; write {ctx.get('expected', 'one of the allowed values')}"
    message = error["msg"].replace("Input should be", "should be")
    return f"{shown}: {message}"


def _show(value: Any) -> str:
    """A YAML value as an admin wrote it, for messages."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, dict):
        return "a section of keys"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk(root: yaml.Node, loc: Loc) -> tuple[yaml.Node, Loc]:
    """The deepest node along ``loc``, and the part of ``loc`` that was found in the file.

    Parts not in the file (a default that failed a cross-check, a union tag pydantic adds) are
    skipped, so the problem points at the closest thing the admin actually wrote.
    """
    node = root
    matched: list[str | int] = []
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and not isinstance(part, int):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and str(key.value) == str(part):
                    child = value  # the last one wins, as in the loaded data
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is not None:
            node = child
            matched.append(part)
    return node, tuple(matched)


def _key_node(mapping: yaml.Node, key: str) -> yaml.Node | None:
    """The node of ``key`` itself (not its value) in a mapping: where an unknown key should be pointed at."""
    found: yaml.Node | None = None
    if isinstance(mapping, yaml.MappingNode):
        for key_node, _ in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == key:
                found = key_node
    return found


def _position(node: yaml.Node) -> tuple[int, int]:
    """1-based line and column where a node starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def _where(loc: Loc) -> str:
    """A dotted path an admin can search for: ``rituals.prompts.questions[3]``; the root is 'the top level'."""
    if not loc:
        return "the top level"
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _node_kind(node: yaml.Node) -> str:
    """How a misplaced node looks to an admin."""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        return f"the plain value {str(node.value)[:40]!r}"
    return "a section"


# ------------------------------------------------------------------------------------ model introspection


def _candidates(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold: Optional, unions and Annotated are opened up."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_candidates(arg))
        return found
    return [annotation]


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc``, so its field names can be suggested."""
    current: list[Any] = [CommunityConfig]
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            if isinstance(part, str) and isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, field in candidate.model_fields.items():
                    if part in (name, field.alias):
                        following.extend(_candidates(field.annotation))
            elif isinstance(part, int) and typing.get_origin(candidate) in (list, tuple, set):
                args = typing.get_args(candidate)
                if args:
                    following.extend(_candidates(args[0]))
            elif isinstance(part, str) and typing.get_origin(candidate) is dict:
                args = typing.get_args(candidate)
                if len(args) == 2:
                    following.extend(_candidates(args[1]))
        if following:
            current = following
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys an admin may write in the mapping at ``loc`` (aliases where a field has one)."""
    model = _model_at(loc)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _field_extra(loc: Loc, key: str) -> str:
    """A ``json_schema_extra`` entry of the field at ``loc`` (e.g. its ``patternErrorMessage``), or ''."""
    if not loc:
        return ""
    model = _model_at(loc[:-1])
    for name, field in (model.model_fields if model is not None else {}).items():
        if loc[-1] in (name, field.alias) and isinstance(field.json_schema_extra, dict):
            return str(field.json_schema_extra.get(key) or "")
    return ""


def _field_description(loc: Loc) -> str:
    """The description of the field at ``loc``, which doubles as advice on what to write there."""
    if not loc:
        return ""
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    for name, field in model.model_fields.items():
        if loc[-1] in (name, field.alias):
            return field.description or ""
    return ""
