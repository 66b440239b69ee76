// The Key Vault that holds the replication passwords requests refer to ({"keyVaultSecret": "https://<vault>.vault.azure.net/secrets/<name>"}).
// RBAC mode, so access is granted with role assignments (Key Vault Secrets User for the app) rather than access policies.

param name string
param location string
param tags object = {}
@description('Irreversible once on; leave off where `azd down --purge` must be able to remove the vault.')
param purgeProtection bool = false

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API refuses false here; null leaves purge protection off.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
// The host the app accepts in secret URIs (KEY_VAULT_ALLOWED_HOSTS); keyvaultDns carries its leading dot.
output host string = '${vault.name}${environment().suffixes.keyvaultDns}'
