"""azure-servicebus 7.8 for Python (Debian python3-azure, uamqp): the one client here that cannot turn TLS off, so
it checks the emulator's AMQPS listener and that a client trusting the emulator's certificate gets through."""
import os

from azure.servicebus import ServiceBusClient, ServiceBusMessage

from conformance_report import check, report, require, unique
from sb_emulator_connection import AmqpsPortBusy, amqps_client, require_amqps_on_5671

queue = os.environ["CONF_PYTHON_SB_QUEUE"]
body = unique("python-amqps")


def send():
    with amqps_client(ServiceBusClient) as client, client.get_queue_sender(queue) as sender:
        sender.send_messages(ServiceBusMessage(body))


def receive_and_complete():
    with amqps_client(ServiceBusClient) as client, client.get_queue_receiver(queue, max_wait_time=10) as receiver:
        messages = receiver.receive_messages(max_message_count=1, max_wait_time=10)
        require(messages and str(messages[0]) == body, f"expected {body!r}, got {[str(m) for m in messages]}")
        receiver.complete_message(messages[0])


FEATURES = ("send over AMQPS (TLS 5671)", "receive over AMQPS + complete")
try:
    require_amqps_on_5671()
except AmqpsPortBusy as busy:
    for feature in FEATURES:
        report(feature, "skipped", str(busy))
    raise SystemExit(0)
except RuntimeError as missing:
    for feature in FEATURES:
        report(feature, "fail", str(missing))
    raise SystemExit(0)
check("send over AMQPS (TLS 5671)", send) and check("receive over AMQPS + complete", receive_and_complete)
