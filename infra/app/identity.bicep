// The user-assigned managed identity the Functions app runs as. Every connection of the app (Service Bus, Event
// Hubs, Event Grid, Table and Blob Storage, Application Insights, Key Vault) signs in with it; rbac.bicep gives it
// exactly the data roles those connections need. User-assigned rather than system-assigned, so that the role
// assignments exist before the app starts and its client id can be written into the app settings.
param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output resourceId string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
