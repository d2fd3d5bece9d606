# kcat with Event Hubs' Kafka settings: SASL PLAIN, user name $ConnectionString, the connection string as password.
# Sourced by python/kcat_client.py; the README shows this function.
# readme:start kcat
kcat_eventhubs() {
  kcat -b "$KAFKA_BOOTSTRAP_SERVERS" -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN \
    -X sasl.username='$ConnectionString' -X sasl.password="$EVENTHUBS_CONNECTION_STRING" "$@"
}
# readme:end kcat
