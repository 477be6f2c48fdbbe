#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate vmscope -j documents against docs/json-schema.json; prints TAP.

Input (files or stdin): lines "#json NAME DOCUMENT", where NAME is a $defs
entry of the schema (maps, find, page, ...) and DOCUMENT is the whole
stdout of one run, on one line.  NAME "error" is an error document.  Every
run must print exactly one JSON document.
"""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    with open(os.path.join(HERE, "..", "docs", "json-schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sys.argv[1:] or ["-"]
    n = fails = 0
    print("TAP version 13")
    for path in files:
        src = sys.stdin if path == "-" else open(path)
        for line in src:
            if not line.startswith("#json "):
                continue
            _, name, doc = line.rstrip("\n").split(" ", 2)
            n += 1
            try:
                value = json.loads(doc)
                sub = dict(schema)
                sub["$ref"] = "#/$defs/" + name
                jsonschema.validate(value, sub, cls=jsonschema.Draft202012Validator)
                print(f"ok {n} {name}: one document, valid")
            except (ValueError, jsonschema.ValidationError) as e:
                fails += 1
                msg = str(e).splitlines()[0][:300]
                print(f"not ok {n} {name}: {msg}")
                print(f"# {doc[:300]}")
    if n == 0:
        print("not ok 1 no JSON documents to check")
        n, fails = 1, 1
    print(f"1..{n}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
