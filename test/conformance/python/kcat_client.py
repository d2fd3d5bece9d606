"""kcat 1.7.1 (Debian) against the Kafka endpoint: the command lines a developer types, with SASL PLAIN and the
Event Hubs connection string as password. Python only drives kcat and checks its output; each call is bounded."""
import os
import subprocess

from conformance_report import check, require, unique

bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
password = os.environ["EVENTHUBS_CONNECTION_STRING"]
topic = os.environ["CONF_KCAT_HUB"]
SASL = ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
        "-X", "sasl.username=$ConnectionString", "-X", f"sasl.password={password}"]


def kcat(*args, stdin=None, timeout=20):
    result = subprocess.run(["kcat", "-b", bootstrap, *SASL, *args], input=stdin, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"kcat exited {result.returncode}: {result.stderr.strip()[-400:]}")
    return result.stdout


def sasl_plain():
    # A wrong password must be refused, so a pass here means the endpoint really checked the connection string.
    bad = subprocess.run(["kcat", "-b", bootstrap, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                          "-X", "sasl.username=$ConnectionString", "-X", "sasl.password=Endpoint=sb://x/;SharedAccessKeyName=x;SharedAccessKey=bad",
                          "-L", "-m", "5"], capture_output=True, text=True, timeout=20)
    require(bad.returncode != 0, "a wrong connection string was accepted")
    kcat("-L", "-m", "10")


def metadata():
    out = kcat("-L", "-t", topic, "-m", "10")
    require(f'topic "{topic}"' in out, f"topic {topic} missing from metadata: {out[:300]}")


payload = unique("kcat")


def produce():
    kcat("-P", "-t", topic, "-k", "conformance", stdin=payload + "\n")


def consume():
    out = kcat("-C", "-t", topic, "-o", "beginning", "-e", "-q", "-m", "15")
    require(payload in out.splitlines(), f"produced record not read back; got {out[:300]!r}")


check("SASL PLAIN $ConnectionString", sasl_plain)
check("metadata (-L)", metadata)
check("produce", produce) and check("consume", consume)
