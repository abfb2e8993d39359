#!/usr/bin/env python3
"""Validate content files against the JSON Schemas that `minglu schema` writes.

usage: validate_schemas.py SCHEMA_DIR accept SITE_ROOT...
       validate_schemas.py SCHEMA_DIR reject FIXTURE_DIR...

`accept`: every YAML file of each site (site.yaml, departments.yaml, every
list.yaml, item and frozen edition file) must be valid. `reject`: each fixture
(a check fixture's overlay folder) must hold at least one YAML file the schemas
reject. YAML is read with YAML 1.2 core-schema meaning, as minglu reads it
(`no` and dates stay strings). Exits 1 on any failure, printing each.
"""
import pathlib
import re
import sys

import jsonschema
import yaml


class Core(yaml.SafeLoader):
    """PyYAML's SafeLoader with YAML 1.2 core-schema scalars (no 1.1 booleans, no timestamps)."""


Core.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp",
                           "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Core.add_implicit_resolver("tag:yaml.org,2002:bool",
                           re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Core.add_implicit_resolver("tag:yaml.org,2002:int",
                           re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                           list("-+0123456789"))
Core.add_implicit_resolver("tag:yaml.org,2002:float",
                           re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                      r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
                           list("-+0123456789."))


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        return yaml.load(f, Loader=Core)


def kind_of(lists_dir, key):
    """The register kind, from the fixture's or the base site's list.yaml."""
    for root in (lists_dir, pathlib.Path(__file__).parent.parent / "fixtures/base/content/lists"):
        path = root / key / "list.yaml"
        if path.is_file():
            return load(path).get("kind")
    return None


def schema_for(path, content):
    """The schema file that applies to `path` (relative parts under content/), or None."""
    rel = path.relative_to(content).parts
    if rel == ("site.yaml",):
        return "site.json"
    if rel == ("departments.yaml",):
        return "departments.json"
    if len(rel) < 3 or rel[0] != "lists":
        return None
    key, rest = rel[1], rel[2:]
    if rest[0] == "editions" and len(rest) >= 3:
        rest = rest[2:]
        if rest == ("edition.yaml",):
            return "edition.json"
        if rest == ("departments.yaml",):
            return "departments.json"
    if rest == ("list.yaml",):
        return "list.json"
    if len(rest) == 2 and rest[0] == "items" and path.suffix == ".yaml":
        kind = kind_of(content / "lists", key)
        return f"item-{kind}.json" if kind else None
    return None


def errors(schemas, path, content):
    name = schema_for(path, content)
    if name is None:
        return None
    validator = jsonschema.Draft202012Validator(
        schemas[name], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{path}: {e.message} (at {'/'.join(map(str, e.absolute_path)) or 'top'}; {name})"
            for e in validator.iter_errors(load(path))]


def main():
    schema_dir, mode, roots = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    schemas = {p.name: __import__("json").loads(p.read_text(encoding="utf-8"))
               for p in schema_dir.glob("*.json")}
    for s in schemas.values():
        jsonschema.Draft202012Validator.check_schema(s)
    failed, checked = [], 0
    for root in map(pathlib.Path, roots):
        content = root / "content"
        found = []
        for path in sorted(content.rglob("*.yaml")):
            errs = errors(schemas, path, content)
            if errs is None:
                continue
            checked += 1
            found.extend(errs)
        if mode == "accept":
            failed.extend(found)
        elif not found:
            failed.append(f"{root}: the schemas accept every file, but minglu check rejects it")
        else:
            print(f"rejected as expected: {root.name}: {found[0]}")
    print(f"{mode}: {checked} files checked against {len(schemas)} schemas")
    for f in failed:
        print("FAIL", f)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
