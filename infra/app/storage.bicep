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

module account 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage-account'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
        }
      ]
    }
    tableServices: {
      tables: map(tables, table => {
        name: table
      })
    }
  }
}

output name string = account.outputs.name
output resourceId string = account.outputs.resourceId
output blobEndpoint string = account.outputs.serviceEndpoints.blob
output tableEndpoint string = account.outputs.serviceEndpoints.table
