"""OCDS 1.1.5 conformance of Dasan's packages, with tools we did not write.

    check_ocds.py --standard DIR [--require-tags t1,t2,...] PACKAGE.json...

DIR is a copy of the standard (`1__1__5/` with the schemas and codelists, `extensions/bids`,
`extensions/lots`): no network. For each package (release or record package, told apart by its
`releases` / `records` list):

1. JSON Schema (Draft 4, `jsonschema` + `referencing`): the package schema of 1.1.5, with the
   schemas' `https://standard.open-contracting.org/schema/1__1__5/...` URLs resolved to the local
   files, and the release schema patched by the bids and lots extensions (JSON Merge Patch,
   RFC 7386). Formats (`date-time`, `uri`) are checked too.
2. Codelists: every field that names a codelist in the (patched) schema must hold a code of that
   CSV — closed codelists and also the open ones (Dasan promises to use only listed codes).
3. Records: every record's `compiledRelease` must equal what `ocdsmerge` (the Open Contracting
   Partnership's merger) compiles from the record's releases (embedded, or the linked ones looked
   up in the release packages given on the same command line).
4. With --require-tags: the release tags seen (in release packages and in records' embedded or
   linked releases) must include each one (a full cycle has all stages).

Prints each error with its JSON path; exits 1 on any error.
"""

import argparse
import copy
import csv
import json
import pathlib
import sys

import jsonschema
import ocdsmerge
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def without_dangling_refs(schema):
    """A copy of `schema` where `$ref`s to definitions it lacks are dropped, and their names.

    The lots extension refers to `SubmissionTerms`, defined by the submission terms extension,
    which is not part of this profile; `ocdsmerge` resolves every `$ref` up front and would stop
    on it. Dasan never writes that field, so the merge rules do not change; the validator keeps
    the reference and would report it if the field ever appeared.
    """
    defined = set(schema.get("definitions", {}))
    dropped = []

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/definitions/") and ref.split("/")[-1] not in defined:
                dropped.append(ref)
                return {k: v for k, v in node.items() if k != "$ref"}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema), dropped


def load_standard(root):
    std = root / "1__1__5"
    release = json.loads((std / "release-schema.json").read_text(encoding="utf-8"))
    codelists = {}
    for path in sorted((std / "codelists").glob("*.csv")):
        codelists[path.name] = path
    for ext in ("bids", "lots"):
        patch = json.loads((root / "extensions" / ext / "release-schema.json").read_text(encoding="utf-8"))
        release = merge_patch(release, patch)
        for path in sorted((root / "extensions" / ext / "codelists").glob("*.csv")):
            codelists[path.name] = path
    schemas = {"release-schema.json": release}
    for name in ("release-package-schema.json", "record-package-schema.json",
                 "versioned-release-validation-schema.json"):
        schemas[name] = json.loads((std / name).read_text(encoding="utf-8"))
    codes = {}
    for name, path in codelists.items():
        with path.open(encoding="utf-8") as f:
            codes[name] = {row["Code"] for row in csv.DictReader(f)}
    return schemas, codes


def validator_class(codes):
    """Draft 4 plus a `codelist` keyword: values must be codes of the named CSV."""

    def codelist(validator, name, instance, schema):
        if name not in codes:
            yield jsonschema.ValidationError(f"unknown codelist {name}")
            return
        values = instance if isinstance(instance, list) else [instance]
        for value in values:
            if isinstance(value, str) and value not in codes[name]:
                kind = "open" if schema.get("openCodelist") else "closed"
                yield jsonschema.ValidationError(f"{value!r} is not in the {kind} codelist {name}")

    return jsonschema.validators.extend(jsonschema.Draft4Validator, {"codelist": codelist})


def path_of(error):
    return "/" + "/".join(str(p) for p in error.absolute_path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--standard", required=True, type=pathlib.Path)
    parser.add_argument("--require-tags", default="")
    parser.add_argument("packages", nargs="+", type=pathlib.Path)
    args = parser.parse_args()

    schemas, codes = load_standard(args.standard)
    # Every schema is Draft 4. Their `$schema` is dropped so that following a `$ref` into
    # another file keeps our validator class (jsonschema would otherwise pick the stock Draft 4
    # class by `$schema`, without the codelist keyword).
    for schema in schemas.values():
        schema.pop("$schema", None)
    registry = Registry().with_resources(
        (BASE + name, Resource(contents=schema, specification=DRAFT4)) for name, schema in schemas.items()
    )
    cls = validator_class(codes)
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    for fmt in ("date-time", "uri"):
        if fmt not in checker.checkers:
            sys.exit(f"the {fmt} format checker is missing (install rfc3339-validator and rfc3987)")
    merge_schema, dropped = without_dangling_refs(schemas["release-schema.json"])
    if dropped:
        print(f"  note: for ocdsmerge, dropped references to definitions outside this profile: {dropped}")
    merger = ocdsmerge.Merger(schema=merge_schema)

    errors = 0
    tags = set()
    packages = [(path, json.loads(path.read_text(encoding="utf-8"))) for path in args.packages]
    releases_by_url = {}
    for path, package in packages:
        for release in package.get("releases", []):
            releases_by_url[f"{package['uri']}#{release['id']}"] = release

    for path, package in packages:
        if "releases" in package:
            kind, schema = "release package", schemas["release-package-schema.json"]
            items = package["releases"]
            for release in items:
                tags.update(release.get("tag", []))
        elif "records" in package:
            kind, schema = "record package", schemas["record-package-schema.json"]
            items = package["records"]
        else:
            print(f"FAIL {path}: neither a release package nor a record package")
            errors += 1
            continue
        validator = cls(schema, registry=registry, format_checker=checker)
        found = sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))
        for error in found[:50]:
            print(f"FAIL {path.name} {path_of(error)}: {error.message[:300]}")
        errors += len(found)

        compiled_ok = compiled_bad = 0
        if kind == "record package":
            for i, record in enumerate(items):
                rs = record["releases"]
                if rs and "url" in rs[0]:
                    missing = [r["url"] for r in rs if r["url"] not in releases_by_url]
                    if missing:
                        print(f"FAIL {path.name} /records/{i}: linked releases not found: {missing[:3]}")
                        errors += 1
                        continue
                    rs = [releases_by_url[r["url"]] for r in rs]
                for release in rs:
                    tags.update(release.get("tag", []))
                expected = merger.create_compiled_release(rs)
                if expected != record.get("compiledRelease"):
                    got = record.get("compiledRelease", {})
                    diff = sorted(k for k in set(expected) | set(got) if expected.get(k) != got.get(k))
                    print(f"FAIL {path.name} /records/{i}/compiledRelease differs from ocdsmerge in {diff}")
                    compiled_bad += 1
                else:
                    compiled_ok += 1
        extra = f", {compiled_ok} compiled releases equal to ocdsmerge's" if kind == "record package" else ""
        errors += compiled_bad
        status = "ok  " if not found and not compiled_bad else "FAIL"
        print(f"  {status} {path.name}: {kind}, {len(items)} items, {len(found)} schema/codelist errors{extra}")

    required = [t for t in args.require_tags.split(",") if t]
    missing = [t for t in required if t not in tags]
    if missing:
        print(f"FAIL release tags missing from the data: {missing} (seen: {sorted(tags)})")
        errors += 1
    elif required:
        print(f"  ok   every stage present: {', '.join(required)}")
    if errors:
        print(f"{errors} error(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
