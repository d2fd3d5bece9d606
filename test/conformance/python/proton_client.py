"""Raw AMQP 1.0 with Apache qpid-proton (Debian python3-qpid-proton 0.37): the CBS put-token handshake every Azure
SDK does, then send, receive with explicit credit, and settle both ways. No Azure SDK in between, so this checks the
wire contract itself: SASL ANONYMOUS, $cbs request/response correlation by reply-to link name, link credit."""
import base64
import hashlib
import hmac
import os
import time
import urllib.parse

from proton import Message
from proton.utils import BlockingConnection

from conformance_report import check, connection_string_fields, report, require, unique

fields = connection_string_fields(os.environ["SERVICEBUS_CONNECTION_STRING"])
host = os.environ["SERVICEBUS_HOST"]
port = os.environ["SERVICEBUS_PORT"]
queue = os.environ["CONF_PROTON_QUEUE"]
FEATURES = ["CBS put-token", "send", "receive with credit", "settle (accept)", "settle (release redelivers)",
            "sender + receiver with one link name (proton's default naming)"]


def sas_token(audience, key_name, key, ttl_seconds=600):
    """Service Bus SAS: HMAC-SHA256 over '<url-encoded audience>\\n<expiry>' with the key's UTF-8 bytes."""
    sr = urllib.parse.quote_plus(audience)
    expiry = str(int(time.time()) + ttl_seconds)
    signature = hmac.new(key.encode("utf-8"), f"{sr}\n{expiry}".encode("utf-8"), hashlib.sha256).digest()
    sig = urllib.parse.quote_plus(base64.b64encode(signature).decode("ascii"))
    return f"SharedAccessSignature sr={sr}&sig={sig}&se={expiry}&skn={key_name}"


def connect():
    return BlockingConnection(f"amqp://{host}:{port}", timeout=15, allowed_mechs="ANONYMOUS")


try:
    connection = connect()
except Exception as err:  # noqa: BLE001
    for feature in FEATURES:
        report(feature, "fail", f"connect: {type(err).__name__}: {err}")
    raise SystemExit(0)


def put_token(connection=connection):
    reply_name = unique("cbs-reply")
    cbs_sender = connection.create_sender("$cbs")
    cbs_receiver = connection.create_receiver("$cbs", name=reply_name, credit=1)
    audience = f"amqp://{host}:{port}/{queue}"
    request = Message(
        body=sas_token(audience, fields["sharedaccesskeyname"], fields["sharedaccesskey"]),
        reply_to=reply_name,
        id=unique("cbs"),
        properties={"operation": "put-token", "type": "servicebus.windows.net:sastoken", "name": audience},
    )
    cbs_sender.send(request, timeout=10)
    response = cbs_receiver.receive(timeout=10)
    status = response.properties.get("status-code")
    require(status in (200, 202), f"put-token answered {status}: {response.properties.get('status-description')}")


body = unique("proton")
state = {}


def send():
    sender = connection.create_sender(queue, name=unique("sender"))
    sender.send(Message(body=body, properties={"client": "qpid-proton"}), timeout=10)


def receive_with_credit():
    receiver = connection.create_receiver(queue, credit=1, name=unique("receiver"))
    message = receiver.receive(timeout=10)
    require(message.body == body, f"expected body {body!r}, got {message.body!r}")
    state["receiver"] = receiver


def settle_accept():
    receiver = state["receiver"]
    receiver.accept()
    receiver.close()
    again = connection.create_receiver(queue, credit=1, name=unique("receiver"))
    try:
        extra = again.receive(timeout=2)
        raise AssertionError(f"an accepted message came back: {extra.body!r}")
    except AssertionError:
        raise
    except Exception:  # noqa: BLE001 - the timeout is the expected outcome
        pass
    finally:
        again.close()


def settle_release():
    second = unique("proton-release")
    connection.create_sender(queue, name=unique("sender")).send(Message(body=second), timeout=10)
    receiver = connection.create_receiver(queue, credit=1, name=unique("receiver"))
    first = receiver.receive(timeout=10)
    require(first.body == second, f"expected {second!r}, got {first.body!r}")
    receiver.release(delivered=True)
    redelivered = receiver.receive(timeout=10)
    require(redelivered.body == second, f"released message not redelivered; got {redelivered.body!r}")
    receiver.accept()
    receiver.close()


def shared_link_name():
    """proton names a link '<container id>-<address>', so a sender and a receiver on one queue share a name. AMQP
    1.0 (2.6.1) keys a link by name *and* direction, so the peer must accept both; a fresh connection keeps a
    failure here from hiding the other results."""
    own = connect()
    try:
        put_token(own)
        payload = unique("proton-shared-name")
        own.create_sender(queue).send(Message(body=payload), timeout=10)
        receiver = own.create_receiver(queue, credit=1)
        message = receiver.receive(timeout=10)
        require(message.body == payload, f"expected {payload!r}, got {message.body!r}")
        receiver.accept()
    finally:
        own.close()


if check("CBS put-token", put_token):
    if check("send", send) and check("receive with credit", receive_with_credit):
        check("settle (accept)", settle_accept)
    check("settle (release redelivers)", settle_release)
connection.close()
check("sender + receiver with one link name (proton's default naming)", shared_link_name)
