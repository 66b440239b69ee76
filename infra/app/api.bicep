// The Function App: a Flex Consumption plan (FC1), the Linux Node.js site running as the user-assigned identity, and its app settings.
// App setting names and formats follow shared/config/appConfig.ts, which validates them at startup.

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Client id of that identity: picks it for host storage, Application Insights and DefaultAzureCredential.')
param identityClientId string

param storageAccountName string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string

param applicationInsightsConnectionString string
@description('Host name of the vault the app accepts secret URIs for, e.g. kv-abc.vault.azure.net.')
param keyVaultHost string

@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 40

param durableTaskHubName string
param revalidationSchedule string = '0 */15 * * * *'
param revalidationConcurrency int = 8
param singleServerAllowedTiers string = 'GeneralPurpose,MemoryOptimized'
param flexibleServerAllowedTiers string = 'GeneralPurpose,MemoryOptimized'
param heartbeatLagThresholdSeconds int = 300
param healthProbeSchedule string = '0 * * * * *'
param healthProbeBatchSize int = 50
param healthProbeLagThresholdSeconds int = 300
param alertWebhookUrl string = ''
param alertWebhookSecretUri string = ''

// ARM_ENDPOINT must be an https URL. environment().resourceManager ends with "/" in public Azure; the replica
// managers strip trailing slashes before they build URLs and the token scope, so it is passed as it is.
var armEndpoint = environment().resourceManager
// Public Azure only: there AzureWebJobsStorage__accountName is the documented identity setting. Elsewhere the
// host would build *.core.windows.net URIs from it, so only the service URIs below are set.
var isPublicCloud = environment().name == 'AzureCloud'

var appSettings = union(
  {
    // Host storage through the user-assigned identity (the account refuses shared keys). The Functions host, the
    // Durable Functions Azure Storage provider and the app's registry (AzureWebJobsStorage__tableServiceUri) all read
    // this one connection. Service URIs come from the account, so they are right in every cloud.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint

    // Telemetry with Entra ID: the component has local authentication disabled.
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // DefaultAzureCredential (ARM, Key Vault, Table storage in the app's code) picks the user-assigned identity by this.
    AZURE_CLIENT_ID: identityClientId
    // host.json: "hubName": "%DURABLE_TASK_HUB_NAME%"; the host fails to start without it.
    DURABLE_TASK_HUB_NAME: durableTaskHubName
    // Requests may only name secrets in this vault; an empty list would refuse every Key Vault reference.
    KEY_VAULT_ALLOWED_HOSTS: keyVaultHost
    ARM_ENDPOINT: armEndpoint
    // The timer binding resolves %REVALIDATION_SCHEDULE% itself, before the app's defaults apply: it must be set.
    REVALIDATION_SCHEDULE: revalidationSchedule
    REVALIDATION_CONCURRENCY: string(revalidationConcurrency)
    SINGLE_SERVER_ALLOWED_TIERS: singleServerAllowedTiers
    FLEXIBLE_SERVER_ALLOWED_TIERS: flexibleServerAllowedTiers
    // Heartbeat lag (s) over which re-validation judges a link degraded, whatever Seconds_Behind_Source says.
    HEARTBEAT_LAG_THRESHOLD_SECONDS: string(heartbeatLagThresholdSeconds)
    // The probe's timer binding resolves %HEALTH_PROBE_SCHEDULE% itself, like the re-validation's: it must be set.
    HEALTH_PROBE_SCHEDULE: healthProbeSchedule
    HEALTH_PROBE_BATCH_SIZE: string(healthProbeBatchSize)
    HEALTH_PROBE_LAG_THRESHOLD_SECONDS: string(healthProbeLagThresholdSeconds)

    // Example of a Key Vault reference: the platform resolves it with keyVaultReferenceIdentity (below) and the app
    // sees the plain value. A request can then name it as {"appSetting": "REPLICATION_SECRET_REPLICA_ADMIN"} (the
    // prefix is SECRET_APP_SETTING_PREFIX). Prefer {"keyVaultSecret": "<secret URI>"} in requests: no redeployment per
    // password, and `azd provision` rewrites every app setting, so settings added by hand do not survive it.
    // REPLICATION_SECRET_REPLICA_ADMIN: '@Microsoft.KeyVault(SecretUri=https://${keyVaultHost}/secrets/replica-admin/)'
  },
  isPublicCloud ? { AzureWebJobsStorage__accountName: storageAccountName } : {},
  // The optional alert webhook: its URL, and its HMAC key as a Key Vault reference (role alert-webhook, bound to the URL).
  empty(alertWebhookUrl)
    ? {}
    : {
        ALERT_WEBHOOK_URL: alertWebhookUrl
        ALERT_WEBHOOK_SECRET: string({ keyVaultSecret: alertWebhookSecretUri })
      }
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Flex Consumption is Linux only.
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the deployment target of service "api" by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve as this identity (the default would be a system identity the app does not have).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// The full set: this resource replaces the app's settings on every `azd provision`.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
