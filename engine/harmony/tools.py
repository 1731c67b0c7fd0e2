"""The ``# Tools`` section of the harmony developer message.

gpt-oss was trained on function tools described as TypeScript-like type signatures inside a
``namespace functions { ... }`` block. The model is sensitive to the exact wording, so this module
reproduces the reference renderer (openai-harmony 0.0.8) character for character, quirks
included: unsupported JSON-schema keywords (``anyOf``, ``allOf``, ``$ref``, ...) fall back to
``any`` exactly as the reference does, rather than being rendered "better" than the model saw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeGuard

from engine.conversation import ToolSpec
from engine.harmony.json_text import json_display

FUNCTIONS_NAMESPACE: Final = "functions"

# Distinguishes "key absent" from "key present with value null": the reference treats them
# differently (e.g. ``"oneOf": null`` still suppresses a property's description comment).
_MISSING: Final = object()


def render_tools_section(
    tools: Sequence[ToolSpec], descriptions: Mapping[str, str] | None = None
) -> str:
    """The ``# Tools`` section declaring ``tools``, one block per namespace.

    A tool named ``ns.x`` is ``x`` in namespace ``ns``; a bare name is in ``functions``.
    Namespaces come in name order, as the reference keeps them in a sorted map; ``descriptions``
    gives a namespace's comment line.
    """
    by_namespace: dict[str, list[ToolSpec]] = {}
    for tool in tools:
        by_namespace.setdefault(namespace_of(tool.name), []).append(tool)
    blocks = [
        _namespace_block(name, members, (descriptions or {}).get(name))
        for name, members in sorted(by_namespace.items())
    ]
    return "# Tools\n\n" + "\n\n".join(blocks)


def _namespace_block(namespace: str, tools: Sequence[ToolSpec], description: str | None) -> str:
    lines = [f"## {namespace}\n"]
    if description is not None:
        lines.extend(f"// {line}" for line in text_lines(description))
    if tools:
        lines.append(f"namespace {namespace} {{\n")
        for tool in tools:
            name = declared_name(tool.name)
            lines.extend(f"// {line}" for line in text_lines(tool.description))
            if tool.parameters is None:
                lines.append(f"type {name} = () => any;\n")
            else:
                signature = schema_to_typescript(tool.parameters, "")
                lines.append(f"type {name} = (_: {signature}) => any;\n")
        lines.append(f"}} // namespace {namespace}")
    return "\n".join(lines)


def namespace_of(name: str) -> str:
    """The namespace a tool is declared in: ``documents`` for ``documents.search``."""
    return name.rsplit(".", 1)[0] if "." in name else FUNCTIONS_NAMESPACE


def declared_name(name: str) -> str:
    """A tool's name inside its namespace block: ``functions.x`` is declared as ``x``."""
    return name.rsplit(".", 1)[-1]


def qualified_name(name: str) -> str:
    """A tool's name as a recipient or tool-result author: a bare ``x`` means ``functions.x``.

    Callers may name a function tool either way (chat templates of other models want it bare);
    the model itself always addresses ``functions.x``.
    """
    return name if "." in name else f"{FUNCTIONS_NAMESPACE}.{name}"


def text_lines(text: str) -> list[str]:
    """Split like Rust's ``str::lines`` (which the reference uses for descriptions).

    Only ``\\n`` and ``\\r\\n`` end a line (a lone ``\\r`` stays in the text), and a trailing line
    ending does not start an empty line; Python's ``splitlines`` differs on every count (it also
    splits on ``\\r``, ``\\x0b``, ``\\u2028``...).
    """
    lines = text.split("\n")
    last = lines.pop()  # the text after the last "\n", which no line ending follows
    out = [line.removesuffix("\r") for line in lines]
    if last:
        out.append(last)
    return out


def schema_to_typescript(schema: object, indent: str) -> str:
    """The TypeScript-like type the reference derives from a JSON schema."""
    one_of = _field(schema, "oneOf")
    if _is_array(one_of):
        return _top_level_union(one_of, indent)

    declared = _field(schema, "type")
    if _is_array(declared):
        names = ["number" if t == "integer" else t for t in declared if isinstance(t, str)]
        if names:
            return " | ".join(names)
    if not isinstance(declared, str):
        return "any"
    if declared == "object":
        return _object_type(schema, indent)
    if declared == "string":
        enum = _field(schema, "enum")
        if _is_array(enum):
            literals = [f'"{v}"' for v in enum if isinstance(v, str)]
            if literals:
                return " | ".join(literals)
        return "string"
    if declared in ("number", "integer"):
        return "number"
    if declared == "boolean":
        return "boolean"
    if declared == "array":
        items = _field(schema, "items")
        if items is _MISSING:
            return "Array<any>"
        return schema_to_typescript(items, indent) + "[]"
    return "any"


def _top_level_union(variants: Sequence[object], indent: str) -> str:
    out: list[str] = []
    for variant in variants:
        out.append(f"\n{indent} | ")
        out.append(_with_nullable(schema_to_typescript(variant, indent + "   "), variant))
        comments: list[str] = []
        description = _field(variant, "description")
        if isinstance(description, str):
            comments.append(description)
        default = _field(variant, "default")
        if default is not _MISSING:
            # Unlike the property-level unions below, an enum's string default keeps its JSON
            # quotes here; the reference has the two code paths disagree.
            if isinstance(default, str) and not _is_enum(variant):
                comments.append(f'default: "{default}"')
            else:
                comments.append(f"default: {json_display(default)}")
        if comments:
            out.append(" // " + " ".join(comments))
    return "".join(out)


def _object_type(schema: object, indent: str) -> str:
    out: list[str] = []
    description = _field(schema, "description")
    if isinstance(description, str):
        out.append(f"{indent}// {description}\n")
    out.append("{\n")
    properties = _field(schema, "properties")
    if isinstance(properties, Mapping):
        required_field = _field(schema, "required")
        required = (
            {r for r in required_field if isinstance(r, str)}
            if _is_array(required_field)
            else set()
        )
        for key, prop in properties.items():
            name = f"{key}{'' if key in required else '?'}"
            out.append(_property_comments(prop, indent))
            one_of = _field(prop, "oneOf")
            if _is_array(one_of):
                out.append(_property_union(name, prop, one_of, indent))
                continue
            rendered = _with_nullable(schema_to_typescript(prop, indent + "    "), prop)
            out.append(f"{indent}{name}: {rendered},")
            default = _field(prop, "default")
            if one_of is _MISSING and default is not _MISSING:
                out.append(f" // default: {_default_comment(default, prop)}")
            out.append("\n")
    out.append(f"{indent}}}")
    return "".join(out)


def _property_comments(prop: object, indent: str) -> str:
    """Title, description and examples written as comment lines above a property."""
    out: list[str] = []
    title = _field(prop, "title")
    if isinstance(title, str):
        out.append(f"{indent}// {title}\n{indent}//\n")
    description = _field(prop, "description")
    # A union property places its description itself (it may be deduplicated with a variant's).
    if _field(prop, "oneOf") is _MISSING and isinstance(description, str):
        out.append(f"{indent}// {description}\n")
    examples = _field(prop, "examples")
    if _is_array(examples) and examples:
        out.append(f"{indent}// Examples:\n")
        out.extend(f'{indent}// - "{e}"\n' for e in examples if isinstance(e, str))
    return "".join(out)


def _property_union(name: str, prop: object, variants: Sequence[object], indent: str) -> str:
    out: list[str] = []
    description = _field(prop, "description")
    prop_description = description if isinstance(description, str) else None
    first_description = _field(variants[0], "description") if variants else _MISSING
    described_above = False
    if prop_description is not None and prop_description != first_description:
        out.append(f"{indent}// {prop_description}\n")
        described_above = True
    default = _field(prop, "default")
    if default is not _MISSING:
        out.append(f"{indent}// default: {_default_comment(default, prop)}\n")
    out.append(f"{indent}{name}:\n")
    for index, variant in enumerate(variants):
        rendered = _with_nullable(schema_to_typescript(variant, indent + "   "), variant)
        out.append(f"{indent} | {rendered}")
        comments: list[str] = []
        variant_description = _field(variant, "description")
        if (
            not (index == 0 and described_above)
            and isinstance(variant_description, str)
            and variant_description != prop_description
        ):
            comments.append(variant_description)
        variant_default = _field(variant, "default")
        if variant_default is not _MISSING:
            comments.append(f"default: {_default_comment(variant_default, variant)}")
        if comments:
            out.append(" // " + " ".join(comments))
        out.append("\n")
    out.append(f"{indent},\n")
    return "".join(out)


def _default_comment(default: object, schema: object) -> str:
    # A plain string default is quoted (without escaping); an enum's default is written bare,
    # as its literal already appears in the union; anything else is compact JSON.
    if isinstance(default, str):
        return default if _is_enum(schema) else f'"{default}"'
    return json_display(default)


def _with_nullable(rendered: str, schema: object) -> str:
    if _field(schema, "nullable") is True and "null" not in rendered:
        return f"{rendered} | null"
    return rendered


def _is_enum(schema: object) -> bool:
    enum = _field(schema, "enum")
    return _is_array(enum) and len(enum) > 0


def _field(schema: object, key: str) -> object:
    if isinstance(schema, Mapping):
        return schema.get(key, _MISSING)
    return _MISSING


def _is_array(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    return isinstance(value, list | tuple)
