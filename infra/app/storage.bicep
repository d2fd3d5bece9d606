// One storage account for the Functions host (AzureWebJobsStorage: the Flex Consumption deployment container,
// timer leases) and the ticketing system's tables (TicketingStorage: event store with outbox and inbox, payments,
// mails, read models, message timeline). Shared-key access is off: everything signs in with Entra ID.
param name string
param location string
param tags object = {}
param deploymentContainerName string

// The tables of src/config.ts `topology.tables` (test/infra checks the two lists agree). The app also creates a
// missing table on first use; creating them here makes a fresh environment complete before the first request.
var tables = [
  'events'
  'payments'
  'mails'
  'purchases'
  'notifications'
  'timeline'
  'fanreplica'
  'purchasestatus'
  'fanpurchases'
  'concertavailability'
  'concertsales'
  'salesperminute'
  'fanwebhook'
]

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
        }
        table: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // A deleted package or container can be brought back for a week.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: account
  name: 'default'
}

resource tableResources 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [for table in tables: {
  parent: tableService
  name: table
}]

output name string = account.name
output resourceId string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
