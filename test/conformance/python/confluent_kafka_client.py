"""confluent-kafka for Python (Debian python3-confluent-kafka 1.7 on Debian's librdkafka): one produce per
compression codec, read back. Event Hubs accepts only uncompressed and gzip batches, so snappy, lz4 and zstd are
"not applicable" cells, provided the endpoint refuses them the way Event Hubs does (UNSUPPORTED_COMPRESSION_TYPE)."""
import os

from confluent_kafka import Consumer, KafkaError, Producer

from conformance_report import check, require, unique

bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
topic = os.environ["CONF_CONFLUENT_PYTHON_HUB"]
auth = {"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
        "sasl.username": "$ConnectionString", "sasl.password": os.environ["EVENTHUBS_CONNECTION_STRING"]}
# Event Hubs' own rule, kept next to the check that relies on it (see README "Using it from other projects").
REFUSED = ("Event Hubs' Kafka endpoint accepts only uncompressed and gzip batches "
           "(learn.microsoft.com/azure/event-hubs/apache-kafka-configurations); the emulator refused it as Event Hubs "
           "does: ")


def produce_with(codec):
    # Compressible on purpose: librdkafka sends a batch uncompressed when compressing would not make it smaller,
    # and a short unique value alone would then never test the codec at all.
    payload = unique(f"codec-{codec}") + " festival" * 100
    errors = []
    producer = Producer({**auth, "compression.codec": codec, "message.timeout.ms": 10000, "retries": 0})
    producer.produce(topic, value=payload.encode(), on_delivery=lambda err, _msg: err and errors.append(err))
    remaining = producer.flush(15)
    require(remaining == 0, "produce not acknowledged within 15 s")
    return payload, errors


def read_back(payload):
    consumer = Consumer({**auth, "group.id": unique("codec-group"), "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    try:
        for _ in range(30):
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            if message.value().decode() == payload:
                return
        raise AssertionError("record not read back")
    finally:
        consumer.close()


# librdkafka turns zstd off unless the broker offers Fetch v10; Event Hubs offers Fetch up to v6 (and so does the
# emulator), so against either the "zstd" batch travels uncompressed and is stored.
ZSTD_OFF = ("Event Hubs' Kafka endpoint accepts only uncompressed and gzip batches; librdkafka does not even send zstd "
            "to it (zstd needs Fetch v10, Event Hubs offers at most v6), so the batch went uncompressed and was stored")


def codec_check(codec):
    def run():
        payload, errors = produce_with(codec)
        if codec == "zstd" and not errors:
            read_back(payload)
            return ("n/a", ZSTD_OFF)
        if codec in ("snappy", "lz4", "zstd"):
            require(errors, f"{codec} batch accepted (sent uncompressed or stored compressed); Event Hubs refuses "
                            f"{codec} with UNSUPPORTED_COMPRESSION_TYPE")
            code = errors[0].code()
            require(code == KafkaError.UNSUPPORTED_COMPRESSION_TYPE,
                    f"refused with {errors[0]}, expected UNSUPPORTED_COMPRESSION_TYPE")
            return ("n/a", REFUSED + str(errors[0]))
        require(not errors, f"produce failed: {errors[0] if errors else ''}")
        read_back(payload)
    return run


for name in ("none", "gzip", "snappy", "lz4", "zstd"):
    check(f"codec-{name}", codec_check(name))
