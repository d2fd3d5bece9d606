"""How azure-servicebus 7.8 for Python (uamqp) reaches the emulator. It has no UseDevelopmentEmulator support, so it
always speaks AMQP over TLS, and always on port 5671 (the port in the Endpoint is ignored; custom_endpoint_address
switches uamqp to WebSockets). So the emulator's AMQPS listener must be on 5671, and connection_verify names the
emulator's self-signed certificate (the README's Python example)."""
import os

AZURE_AMQPS_PORT = "5671"


class AmqpsPortBusy(Exception):
    """The emulator could not take 5671 (something else holds it), so this SDK version cannot reach it."""


# readme:start python-servicebus
def amqps_client(service_bus_client_class):
    # The TLS connection string the emulator prints (no UseDevelopmentEmulator; AMQPS on 5671).
    return service_bus_client_class.from_connection_string(
        os.environ["SERVICEBUS_TLS_CONNECTION_STRING"],
        connection_verify=os.environ["SERVICEBUS_CA_CERT"],  # the certificate file the emulator prints
    )
# readme:end python-servicebus


def require_amqps_on_5671():
    port = os.environ.get("SERVICEBUS_AMQPS_PORT", "")
    if not port:
        raise RuntimeError("this emulator has no AMQPS (TLS) listener, which Python's azure-servicebus 7.8 needs")
    if port != AZURE_AMQPS_PORT:
        raise AmqpsPortBusy(f"port 5671 was busy, so the emulator's AMQPS listener is on {port}; azure-servicebus 7.8 "
                            "(uamqp) connects only to 5671")
