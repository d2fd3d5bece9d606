"""Shared by the Python conformance clients: one JSON line per feature on stdout (what run.ts reads), and the
connection-string parsing every client needs. Debian's /usr/bin/python3 runs these; only the standard library here."""
import json
import os
import sys
import time
import traceback

CLIENT = os.environ.get("CONFORMANCE_CLIENT", os.path.basename(sys.argv[0]))


def report(feature, status, error=None):
    print(json.dumps({"client": CLIENT, "feature": feature, "status": status, "error": error}), flush=True)


def check(feature, action):
    """Runs one feature; an exception is a fail cell with its text, the rest of the client still runs."""
    try:
        outcome = action()
    except Exception as err:  # noqa: BLE001 - every error is a result here
        report(feature, "fail", f"{type(err).__name__}: {err}")
        traceback.print_exc()
        return False
    if isinstance(outcome, tuple):  # ("n/a", reason)
        report(feature, outcome[0], outcome[1])
        return outcome[0] == "pass"
    report(feature, "pass")
    return True


def connection_string_fields(connection_string):
    fields = {}
    for part in connection_string.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            fields[key.strip().lower()] = value.strip()
    return fields


def unique(prefix):
    return f"{prefix}-{os.getpid()}-{int(time.time() * 1000)}"


def require(condition, message):
    if not condition:
        raise AssertionError(message)
