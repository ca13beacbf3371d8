#!/usr/bin/env python3
"""The every-operation suite against an independent mock of Deel's reference spec.

Installs Stoplight Prism (pinned, from the npm registry, cached in ~/.cache/deel-rs-prism),
serves a temporary copy of ../shared/reference/deel-openapi.json with `prism mock --dynamic` on
a free 127.0.0.1 port, runs the conformance test in live mode with writes against it, and then
reads Prism's own log: every request must have been judged valid (no request violation), and
every operation must have been reached and decoded.

The copy differs from the reference only where Prism, or the reference itself, would refuse every
possible request; each change is counted and printed:
- Prism mocks `paths` without the `servers` prefix: REST paths move under /rest/v2, SCIM ones
  (/Users..., /ServiceProviderConfig) under /scim/v2.
- A path parameter that is not in its template (one operation declares both payslipId and
  payslip_id) is dropped: no request can carry it.
- Prism 5.16 reads every multipart part as a string and does not apply OpenAPI's default JSON
  encoding of object and array parts, so such properties are declared as strings in the copy.
- A `oneOf` whose branches are all objects with no required property can never hold exactly
  once (any object satisfies several branches): the copy says `anyOf` there.
- Two templates of one shape (`/x/{a}` and `/x/{b}`) are one route, and Prism matches a request to
  either: where only one of them declares a request body for a method, both get it.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PRISM = "@stoplight/prism-cli@5.16.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "..", "shared", "reference", "deel-openapi.json")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "deel-rs-prism")
SCIM = ("/Users", "/ServiceProviderConfig")


def prism_bin():
    binary = os.path.join(CACHE, "node_modules", ".bin", "prism")
    if not os.path.exists(binary):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", CACHE, "--no-audit", "--no-fund", "--silent", PRISM], check=True)
    return binary


def resolve(doc, schema):
    for _ in range(16):
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if not ref.startswith("#/components/schemas/"):
            break
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def unsatisfiable_one_of(doc, node, changes):
    """Turns `oneOf`s of open objects without required properties into `anyOf`, everywhere."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and branches:
            resolved = [resolve(doc, b) for b in branches]
            if all(b.get("type") == "object" and not b.get("required") and b.get("additionalProperties") is not False
                   for b in resolved):
                node["anyOf"] = node.pop("oneOf")
                changes["oneOf of open objects -> anyOf"] += 1
        for v in node.values():
            unsatisfiable_one_of(doc, v, changes)
    elif isinstance(node, list):
        for v in node:
            unsatisfiable_one_of(doc, v, changes)


def mock_spec(out):
    with open(REFERENCE) as f:
        doc = json.load(f)
    changes = {"path parameters outside the template": 0, "multipart JSON parts as strings": 0,
               "oneOf of open objects -> anyOf": 0, "bodies shared by one route": 0}
    methods = ("get", "put", "post", "delete", "patch")
    shapes = {}
    for path, item in doc["paths"].items():
        shapes.setdefault(re.sub(r"\{[^}]*\}", "{}", path), []).append(item)
    for items in shapes.values():
        for method in methods:
            ops = [i[method] for i in items if isinstance(i.get(method), dict)]
            body = next((o["requestBody"] for o in ops if "requestBody" in o), None)
            for op in ops:
                if body is not None and "requestBody" not in op:
                    op["requestBody"] = body
                    changes["bodies shared by one route"] += 1
    for item in doc["paths"].values():
        for method in methods:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            form = op.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
            props = resolve(doc, form.get("schema", {})).get("properties", {})
            for name, prop in list(props.items()):
                if resolve(doc, prop).get("type") in ("object", "array"):
                    props[name] = {"type": "string"}
                    changes["multipart JSON parts as strings"] += 1
    unsatisfiable_one_of(doc, doc, changes)
    paths = {}
    for path, item in doc["paths"].items():
        prefix = "/scim/v2" if path.startswith(SCIM) else "/rest/v2"
        for method in ("get", "put", "post", "delete", "patch"):
            op = item.get(method)
            if isinstance(op, dict) and "parameters" in op:
                kept = [p for p in op["parameters"] if p.get("in") != "path" or "{%s}" % p.get("name") in path]
                changes["path parameters outside the template"] += len(op["parameters"]) - len(kept)
                op["parameters"] = kept
        paths[prefix + path] = item
    doc["paths"] = paths
    doc.pop("servers", None)
    with open(out, "w") as f:
        json.dump(doc, f)
    print("prism: the mock's copy of the reference: " + ", ".join(f"{k} {v}" for k, v in changes.items()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary = prism_bin()
    work = tempfile.mkdtemp(prefix="deel-rs-prism-")
    spec, log_path = os.path.join(work, "spec.json"), os.path.join(work, "prism.log")
    mock_spec(spec)
    port = free_port()
    log = open(log_path, "w")
    prism = subprocess.Popen(
        [binary, "mock", "--dynamic", "-h", "127.0.0.1", "-p", str(port), spec], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.time() + 180
        while "is listening" not in open(log_path).read():
            if prism.poll() is not None or time.time() > deadline:
                sys.exit("prism did not start:\n" + open(log_path).read()[-2000:])
            time.sleep(1)
        env = dict(os.environ)
        env.update(
            DEEL_CONFORMANCE_BASE_URL=f"http://127.0.0.1:{port}",
            DEEL_API_TOKEN="prism-token-not-secret",
            DEEL_CONFORMANCE_WRITES="1",
        )
        test = subprocess.run(
            ["cargo", "test", "-p", "deel-api", "--test", "it", "conformance_against", "--", "--nocapture"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        lines = [l for l in test.stdout.splitlines() if l.startswith("conformance:")]
    finally:
        prism.terminate()
        prism.wait(timeout=30)
        log.close()
    requests, invalid, current = 0, {}, None
    for line in open(log_path):
        m = re.search(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received", line)
        if m:
            requests += 1
            current = (requests, m.group(1).upper(), m.group(2))
        elif "Violation: request" in line and current:
            invalid.setdefault(current, []).append(line.split("Violation: ", 1)[1].strip()[:160])
    problems = [l for l in lines if re.search(r" (rejected|decode-failed|error) ", l)]
    for l in problems:
        print(l)
    for (_, method, path), violations in sorted(invalid.items()):
        print(f"  invalid request: {method} {path}: " + "; ".join(violations[:3]))
    total = next((l for l in lines if re.match(r"conformance: \d+/\d+ ok", l)), "conformance: no total")
    print(f"prism: {requests - len(invalid)}/{requests} requests judged valid by Prism; {total[len('conformance: '):]}")
    shutil.rmtree(work, ignore_errors=True)
    if test.returncode != 0 or invalid or problems or requests == 0:
        sys.exit(test.stderr[-3000:] if test.returncode != 0 and not problems else 1)


if __name__ == "__main__":
    main()
