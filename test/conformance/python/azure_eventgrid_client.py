"""azure-eventgrid for Python (Debian python3-azure): a SAS token made by the SDK's own generate_sas() publishes an
EventGridEvent over the emulator's http endpoint; delivery is checked by peeking the Service Bus queue the topic's
subscription forwards to through the emulator's explorer HTTP API, so this cell depends on Event Grid alone."""
import datetime
import os
import time
import urllib.request

from azure.core.credentials import AzureSasCredential
from azure.eventgrid import EventGridEvent, EventGridPublisherClient, generate_sas

from conformance_report import check, unique

endpoint = os.environ["EG_CONFORMANCE_PYTHON_SAS_ENDPOINT"]
key = os.environ["EG_CONFORMANCE_PYTHON_SAS_KEY"]
queue = os.environ["CONF_EG_PYTHON_QUEUE"]


def delivered_to_queue(event_id):
    url = f"{os.environ['EMULATOR_HTTP_URL']}/emulator/servicebus/entities/{queue}/messages?state=all"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as response:
            if event_id in response.read().decode():
                return
        time.sleep(0.3)
    raise AssertionError("published, but nothing delivered to the subscription's queue within 15 s")


def publish_with_sas():
    # readme:start python-eventgrid
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)
    token = generate_sas(endpoint, key, expiry)
    client = EventGridPublisherClient(endpoint, AzureSasCredential(token))
    # readme:end python-eventgrid
    event_id = unique("python-sas")
    client.send(EventGridEvent(subject="tickets/1", event_type="MusicFest.Conformance.Python", data={"seat": "D4"},
                               data_version="1.0", id=event_id))
    delivered_to_queue(event_id)


check("publish with generate_sas token", publish_with_sas)
