"""kafka-python 2.0.2 (Debian python3-kafka): a pure-Python client that logs in with SaslHandshake v0 followed by
the raw (unframed) SASL PLAIN exchange, then produces and consumes in a consumer group with committed offsets."""
import os

from kafka import KafkaConsumer, KafkaProducer

from conformance_report import check, require, unique

bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
topic = os.environ["CONF_KAFKA_PYTHON_HUB"]
# readme:start python-kafka
auth = dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
            sasl_plain_username="$ConnectionString", sasl_plain_password=os.environ["EVENTHUBS_CONNECTION_STRING"],
            request_timeout_ms=15000, api_version_auto_timeout_ms=10000)
# readme:end python-kafka
state = {}
payload = unique("kafka-python").encode()


def login():
    producer = KafkaProducer(**auth, acks="all")
    require(producer.bootstrap_connected(), "not connected after login")
    state["producer"] = producer


def produce():
    metadata = state["producer"].send(topic, key=b"conformance", value=payload).get(timeout=15)
    require(metadata.topic == topic, f"unexpected metadata {metadata}")
    state["producer"].close(timeout=5)


def consume_in_group():
    consumer = KafkaConsumer(topic, **auth, group_id=unique("kafka-python-group"), auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=15000)
    try:
        values = []
        for record in consumer:
            values.append(record.value)
            if record.value == payload:
                consumer.commit()
                break
        require(payload in values, f"record not received in the group; got {values[:5]}")
    finally:
        consumer.close()


check("SASL PLAIN login (SaslHandshake v0)", login) and check("produce", produce)
check("consume in a group", consume_in_group)
