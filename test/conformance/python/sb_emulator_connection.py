"""How azure-servicebus 7.8 for Python (uamqp) reaches the emulator: it has no UseDevelopmentEmulator support, so
it always speaks AMQP over TLS; custom_endpoint_address points it at the emulator's AMQPS port and
connection_verify at the emulator's self-signed certificate (the README's Python example)."""
import os


# readme:start python-servicebus
def amqps_client(service_bus_client_class):
    port = os.environ.get("SERVICEBUS_AMQPS_PORT", "")
    if not port:
        raise RuntimeError("this emulator has no AMQPS (TLS) listener, which Python's azure-servicebus 7.8 needs")
    # The connection string the emulator prints, minus the flag this SDK version does not know.
    connection_string = os.environ["SERVICEBUS_CONNECTION_STRING"].replace("UseDevelopmentEmulator=true;", "")
    return service_bus_client_class.from_connection_string(
        connection_string,
        custom_endpoint_address=f"sb://localhost:{port}",
        connection_verify=os.environ["SERVICEBUS_CA_CERT"],
    )
# readme:end python-servicebus
