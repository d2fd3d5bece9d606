#!/bin/sh
# After `azd deploy`: Event Grid checks that an AzureFunction destination exists, so the event subscriptions of
# topology/eventgrid.json are created by a second `azd provision` once the functions are deployed. Later
# runs of `azd up` provision them with everything else, so this does nothing then.
set -eu
if [ "$(azd env get-value EVENTGRID_SUBSCRIPTIONS_ENABLED 2>/dev/null || true)" = "true" ]; then
  echo "Event Grid subscriptions are provisioned with the infrastructure."
  exit 0
fi
echo "Creating the Event Grid subscriptions now that the functions exist..."
azd env set EVENTGRID_SUBSCRIPTIONS_ENABLED true
azd provision --no-prompt
