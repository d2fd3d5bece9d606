"""kcat 1.7.1 (Debian) against the Kafka endpoint: the command line a developer types (the README shows it), with
SASL PLAIN and the Event Hubs connection string as password. Python only runs it through bash, bounded, and checks
the output."""
import os
import subprocess

from conformance_report import check, require, unique

topic = os.environ["CONF_KCAT_HUB"]
# The shell function the README shows, sourced as is.
KCAT_SASL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kcat-sasl.sh")


def kcat(args, stdin=None, timeout=20, password=None):
    """Runs `kcat_eventhubs <args>` in bash; args is a trusted literal from this file."""
    env = dict(os.environ)
    if password is not None:
        env["EVENTHUBS_CONNECTION_STRING"] = password
    command = f'source "{KCAT_SASL}" && kcat_eventhubs {args}'
    result = subprocess.run(["bash", "-c", command], input=stdin, capture_output=True, text=True, timeout=timeout,
                            env=env)
    if result.returncode != 0:
        raise RuntimeError(f"kcat exited {result.returncode}: {result.stderr.strip()[-400:]}")
    return result.stdout


def sasl_plain():
    # A wrong key must be refused, so a pass means the endpoint really checked the connection string.
    wrong = os.environ["EVENTHUBS_CONNECTION_STRING"].replace("SharedAccessKey=", "SharedAccessKey=wrong")
    try:
        kcat("-L -m 5", password=wrong)
    except RuntimeError:
        pass
    else:
        raise AssertionError("a connection string with a wrong key was accepted")
    kcat("-L -m 10")


def metadata():
    out = kcat(f"-L -t {topic} -m 10")
    require(f'topic "{topic}"' in out, f"topic {topic} missing from metadata: {out[:300]}")


payload = unique("kcat")


def produce():
    kcat(f"-P -t {topic} -k conformance", stdin=payload + "\n")


def consume():
    out = kcat(f"-C -t {topic} -o beginning -e -q -m 15")
    require(payload in out.splitlines(), f"produced record not read back; got {out[:300]!r}")


def sasl_ssl():
    """Event Hubs' own port is 9093 with TLS only; the emulator's SASL_SSL listener, trusting its certificate."""
    tls_bootstrap = os.environ.get("KAFKA_TLS_BOOTSTRAP_SERVERS", "")
    require(tls_bootstrap, "this emulator has no SASL_SSL listener (Event Hubs' port 9093)")
    out = kcat(f"-L -m 10 -X security.protocol=SASL_SSL -X ssl.ca.location=\"$SERVICEBUS_CA_CERT\" "
               f"-b {tls_bootstrap}")
    require(f'topic "{topic}"' in out, f"topic {topic} missing from metadata over TLS: {out[:300]}")


check("SASL PLAIN $ConnectionString", sasl_plain)
check("SASL_SSL (TLS, as Event Hubs' 9093)", sasl_ssl)
check("metadata (-L)", metadata)
check("produce", produce) and check("consume", consume)
