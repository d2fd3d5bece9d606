# After `azd provision`: copies the analytics Kafka trigger's listen-only connection string (the shared access policy
# on the one event hub it reads) into Key Vault, where the app reads it through a Key Vault reference with its managed
# identity. See postprovision.sh for why the template does not do it; this is the same steps for Windows.
$ErrorActionPreference = 'Stop'
foreach ($name in 'AZURE_RESOURCE_GROUP', 'EVENT_HUBS_NAMESPACE_NAME', 'ANALYTICS_EVENT_HUB_NAME',
  'ANALYTICS_LISTEN_RULE_NAME', 'AZURE_KEY_VAULT_NAME', 'ANALYTICS_KAFKA_SECRET_NAME') {
  if (-not [Environment]::GetEnvironmentVariable($name)) {
    Write-Error "postprovision: $name is not set; run this hook through azd (azd provision / azd up)."
    exit 1
  }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Error ("postprovision: the Azure CLI (az) is needed to copy the analytics trigger's listen-only key into " +
    "Key Vault. Install it (https://aka.ms/installazurecli), 'az login' as the same account as azd, " +
    "then 'azd provision'.")
  exit 1
}
$connection = az eventhubs eventhub authorization-rule keys list `
  --resource-group $env:AZURE_RESOURCE_GROUP --namespace-name $env:EVENT_HUBS_NAMESPACE_NAME `
  --eventhub-name $env:ANALYTICS_EVENT_HUB_NAME --name $env:ANALYTICS_LISTEN_RULE_NAME `
  --query primaryConnectionString --output tsv
if ($LASTEXITCODE -ne 0 -or -not $connection) {
  Write-Error 'postprovision: could not read the listen-only key (is az login the account azd deployed with?).'
  exit 1
}
# Through a temporary file readable only by this user, not an argument (visible in the process list).
$file = New-TemporaryFile
try {
  Set-Content -Path $file -Value $connection -NoNewline
  az keyvault secret set --vault-name $env:AZURE_KEY_VAULT_NAME --name $env:ANALYTICS_KAFKA_SECRET_NAME `
    --file $file --output none
  if ($LASTEXITCODE -ne 0) { Write-Error 'postprovision: could not write the Key Vault secret.'; exit 1 }
} finally {
  Remove-Item $file -Force
}
Write-Host "Key Vault secret $env:ANALYTICS_KAFKA_SECRET_NAME is set."
