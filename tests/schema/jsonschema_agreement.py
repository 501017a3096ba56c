#!/usr/bin/python3
"""The published scenario schema read by a generic JSON Schema validator (Debian's
python3-jsonschema): the schema is valid draft 2020-12, every shipped scenario is valid under
it, and documents broken at the schema's level are refused by it and by `faultline validate`
alike, so the schema means to generic tools what it means to faultline.

usage: jsonschema_agreement.py FAULTLINE SOURCE_DIR
"""
import copy
import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema
import yaml

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def faultline_accepts(faultline, document, directory):
    path = pathlib.Path(directory) / "scenario.json"
    path.write_text(json.dumps(document))
    done = subprocess.run([faultline, "validate", str(path)], capture_output=True, text=True)
    if done.returncode not in (0, 2):
        fail(f"faultline validate exited {done.returncode}: {done.stdout}{done.stderr}")
    return done.returncode == 0


def set_at(document, path, value):
    """A copy of DOCUMENT with the value at PATH (keys and indexes) replaced; None deletes."""
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def main():
    faultline, source = sys.argv[1], pathlib.Path(sys.argv[2])
    schema = json.loads((source / "scenarios" / "schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    shipped = sorted((source / "scenarios").glob("*.yaml"))
    if not shipped:
        fail("no scenarios/*.yaml")
    for path in shipped:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        if errors:
            fail(f"{path.name}: refused by jsonschema: {errors}")

    # Breaks at the schema's level, each refused by both validators; the intact document is
    # accepted by both.
    base = yaml.safe_load((source / "scenarios" / "quickstart.yaml").read_text())
    broken = {
        "an unknown top-level key": set_at(base, ["colour"], "red"),
        "no steps": set_at(base, ["steps"], None),
        "version 2": set_at(base, ["version"], 2),
        "target and targets": set_at(base, ["targets"], [base["target"]]),
        "an unknown driver": set_at(base, ["target", "driver"], "lxc"),
        "a duration without unit": set_at(base, ["cluster", "node", "memory"], "lots"),
        "a count that is a string": set_at(base, ["steps", 1, "workload", "count"], "sixty"),
        "an unknown workload kind": set_at(base, ["steps", 1, "workload", "kind"], "burst"),
        "an unknown workload key": set_at(base, ["steps", 1, "workload", "colour"], "red"),
        "an slo without a bound": set_at(base, ["slo", 0, "max"], None),
        "a step name with a space": set_at(base, ["steps", 1, "name"], "a storm"),
        "an unknown gate metric": set_at(base, ["gate"], {"metrics": ["throughput"]}),
        "an unknown confinement": set_at(base, ["target", "security"], "strict"),
    }
    with tempfile.TemporaryDirectory() as directory:
        if not faultline_accepts(faultline, base, directory):
            fail("faultline refuses quickstart.yaml as JSON")
        if not validator.is_valid(base):
            fail("jsonschema refuses quickstart.yaml")
        for what, document in broken.items():
            if validator.is_valid(document):
                fail(f"{what}: accepted by jsonschema")
            if faultline_accepts(faultline, document, directory):
                fail(f"{what}: accepted by faultline validate")
    print(f"{len(shipped)} shipped scenarios valid; {len(broken)} broken documents refused by both")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
