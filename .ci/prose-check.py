#!/usr/bin/env python3
"""Strict upstream-prose check for CI, on top of ../shared/tools/prose-guard.py.

The guard flags any run of ten words shared with an upstream description. A few of those runs
are API facts that upstream prose happens to quote: a path template and operation ids, which the
project must carry verbatim. They are listed below by SHA-256 of the ten-word run (the run
itself would trip the guard here), each with the fact it belongs to. Anything else fails.
"""
import hashlib, json, os, re, subprocess, sys

root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ref = os.path.join(root, "..", "shared", "reference", "deel-openapi.json")
if not os.path.exists(ref):
    sys.exit("prose-check: ../shared/reference/deel-openapi.json is missing")
allowed_file = os.path.join(os.path.dirname(__file__), "prose-facts.txt")
allowed = {}
for line in open(allowed_file, encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#"):
        digest, _, why = line.partition(" ")
        allowed[digest] = why

N = 10
WORD = re.compile(r"[a-z0-9]+")

def shingles(text):
    w = WORD.findall(text.lower())
    return (" ".join(w[i:i + N]) for i in range(len(w) - N + 1))

upstream = set()
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                upstream.update(shingles(value))
            else:
                walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
walk(json.load(open(ref)))

digest = lambda s: hashlib.sha256(s.encode()).hexdigest()[:32]
files = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True).stdout.split(b"\0")
bad, facts = {}, set()
for name in filter(None, files):
    try:
        text = open(os.path.join(root, name.decode()), encoding="utf-8", errors="ignore").read()
    except OSError:
        continue
    for s in shingles(text.replace("\\n", " ")):
        if s in upstream:
            if digest(s) in allowed:
                facts.add(digest(s))
            else:
                bad.setdefault(name.decode(), []).append(s)
for name, found in sorted(bad.items()):
    print(f"{name}: {len(found)} upstream phrase(s), e.g. \"{found[0]}\"")
if bad:
    sys.exit(f"prose-check: {len(bad)} file(s) carry upstream prose")
print(f"prose-check: clean; {len(facts)} allowed fact run(s) seen (see .ci/prose-facts.txt)")
