// Key Vault for the one secret this deployment cannot avoid: the listen-only connection string the analytics Kafka
// trigger signs in with (the Functions Kafka extension has no managed-identity sign-in; see README "Deploy to
// Azure"). The template never reads the key: the postprovision hook copies it in with the Azure CLI, and the app
// reads it through a Key Vault reference with its managed identity. RBAC authorization only (no access policies);
// purge protection stays off so that `azd down --purge` can remove the vault and its name can be reused.
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Who read or wrote the secret, in the workspace.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
output resourceId string = vault.id
output uri string = vault.properties.vaultUri
