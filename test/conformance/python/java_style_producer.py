"""Debian ships no Java Kafka client and Maven Central is out of reach, so this stands in for one: librdkafka set
to the Java producer's defaults since Kafka 3.0 (enable.idempotence=true, acks=all, max.in.flight 5), which make it
call InitProducerId and send sequence-numbered batches, as a Java producer would."""
import os

from confluent_kafka import Consumer, Producer

from conformance_report import check, require, unique

topic = os.environ["CONF_JAVA_STYLE_HUB"]
auth = {"bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"], "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "PLAIN", "sasl.username": "$ConnectionString",
        "sasl.password": os.environ["EVENTHUBS_CONNECTION_STRING"]}
payloads = [unique(f"java-style-{i}") for i in range(5)]


def produce():
    errors = []
    producer = Producer({**auth, "enable.idempotence": True, "acks": "all",
                         "max.in.flight.requests.per.connection": 5, "message.timeout.ms": 15000})
    for value in payloads:
        producer.produce(topic, key=b"java", value=value.encode(), on_delivery=lambda e, _m: e and errors.append(e))
    require(producer.flush(20) == 0, "not all records acknowledged within 20 s")
    require(not errors, f"produce failed: {errors[0] if errors else ''}")


def consume():
    consumer = Consumer({**auth, "group.id": unique("java-style-group"), "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    seen = []
    try:
        for _ in range(30):
            message = consumer.poll(1.0)
            if message is not None and not message.error():
                seen.append(message.value().decode())
            if all(p in seen for p in payloads):
                break
        got = [v for v in seen if v in payloads]
        require(got == payloads, f"expected the 5 records once each in order, got {got}")
    finally:
        consumer.close()


check("produce (enable.idempotence=true, acks=all)", produce) and check("consume it back", consume)
