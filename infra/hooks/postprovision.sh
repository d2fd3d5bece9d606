#!/bin/sh
# After `azd provision`: copies the analytics Kafka trigger's listen-only connection string (the shared access policy
# on the one event hub it reads) into Key Vault, where the app reads it through a Key Vault reference with its managed
# identity. The template cannot do this without listKeys(), which would put the key into the deployment's history;
# here it goes from Event Hubs to Key Vault through the Azure CLI signed in as the deploying user (Key Vault Secrets
# Officer on the vault) and is never printed, written to disk or passed on a command line.
set -eu
missing=""
for name in AZURE_RESOURCE_GROUP EVENT_HUBS_NAMESPACE_NAME ANALYTICS_EVENT_HUB_NAME ANALYTICS_LISTEN_RULE_NAME \
  AZURE_KEY_VAULT_NAME ANALYTICS_KAFKA_SECRET_NAME; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "postprovision: not set:$missing." >&2
  echo "Run this hook through azd (azd provision or azd up), which sets them from the template's outputs." >&2
  exit 1
fi
if ! command -v az >/dev/null 2>&1; then
  echo "postprovision: the Azure CLI (az) is needed to copy the analytics trigger's listen-only key into Key Vault." >&2
  echo "Install it (https://aka.ms/installazurecli), sign in with 'az login' as the same account as azd," >&2
  echo "then run 'azd provision' again." >&2
  exit 1
fi
policy="$ANALYTICS_EVENT_HUB_NAME/$ANALYTICS_LISTEN_RULE_NAME"
echo "Copying the listen-only connection string of $policy into Key Vault $AZURE_KEY_VAULT_NAME..."
connection=$(az eventhubs eventhub authorization-rule keys list \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --namespace-name "$EVENT_HUBS_NAMESPACE_NAME" \
  --eventhub-name "$ANALYTICS_EVENT_HUB_NAME" \
  --name "$ANALYTICS_LISTEN_RULE_NAME" \
  --query primaryConnectionString --output tsv) || {
  echo "postprovision: could not read the keys of $ANALYTICS_LISTEN_RULE_NAME" \
    "(is 'az login' the account azd deployed with?)." >&2
  exit 1
}
if [ -z "$connection" ]; then
  echo "postprovision: $ANALYTICS_LISTEN_RULE_NAME returned no connection string." >&2
  exit 1
fi
# The value goes through a pipe, not an argument: arguments are visible to other users in the process list.
printf '%s' "$connection" | az keyvault secret set \
  --vault-name "$AZURE_KEY_VAULT_NAME" \
  --name "$ANALYTICS_KAFKA_SECRET_NAME" \
  --file /dev/stdin \
  --content-type "text/plain; analytics Kafka trigger, listen-only" \
  --output none || {
  echo "postprovision: could not write secret $ANALYTICS_KAFKA_SECRET_NAME (the deploying user needs" \
    "Key Vault Secrets Officer; new role assignments can take a few minutes to apply)." >&2
  exit 1
}
echo "Key Vault secret $ANALYTICS_KAFKA_SECRET_NAME is set; the app resolves it when it (re)starts."
