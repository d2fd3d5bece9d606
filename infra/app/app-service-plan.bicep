// The Flex Consumption plan (FC1, Linux) the Functions app runs on: billed per execution and per GB-second, scales to
// zero when idle, and runs the Kafka trigger (the classic Consumption plan does not).
param name string
param location string
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux.
    reserved: true
    zoneRedundant: false
  }
}

output resourceId string = plan.id
