// Entry point of `azd provision`: the resource group and every Azure resource the replication app runs on.
// Subscription scope, as in the Azure-Samples azd Functions templates, so azd can create the resource group itself.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name. Seeds every resource name and the Durable Functions task hub name.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of whoever runs azd (AZURE_PRINCIPAL_ID). Gets Key Vault Secrets Officer so they can store replication passwords. Empty: no assignment.')
param principalId string = ''

@description('Kind of principal behind principalId (azd sets AZURE_PRINCIPAL_TYPE: User, or ServicePrincipal in CI).')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Resource group holding the Azure Database for MySQL replica servers. Empty: this deployment\'s own resource group. It must already exist and be in this subscription.')
param mysqlResourceGroupName string = ''

@description('Resource group to create. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Node.js version of the Functions worker (package.json engines: >=20).')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '20'

@description('Memory per Flex Consumption instance.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on Flex Consumption instances; every instance may open admin sessions to replicas. 40 is the lowest value the Azure-Samples Flex templates allow.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('NCRONTAB schedule (six fields, seconds first) of the re-validation timer: REVALIDATION_SCHEDULE.')
param revalidationSchedule string = '0 */15 * * * *'

@description('How many links one re-validation pass checks at once: REVALIDATION_CONCURRENCY.')
@minValue(1)
@maxValue(100)
param revalidationConcurrency int = 8

@description('Heartbeat lag in seconds over which re-validation judges a link degraded: HEARTBEAT_LAG_THRESHOLD_SECONDS.')
@minValue(1)
@maxValue(604800)
param heartbeatLagThresholdSeconds int = 300

@description('NCRONTAB schedule of the health probe timer: HEALTH_PROBE_SCHEDULE (default every minute).')
param healthProbeSchedule string = '0 * * * * *'

@description('Links one probe activity checks: HEALTH_PROBE_BATCH_SIZE.')
@minValue(1)
@maxValue(1000)
param healthProbeBatchSize int = 50

@description('Lag in seconds over which the probe calls a link lagging, and over which the lag alert fires: HEALTH_PROBE_LAG_THRESHOLD_SECONDS.')
@minValue(1)
@maxValue(604800)
param lagAlertThresholdSeconds int = 300

@description('Minutes the lag must stay over the threshold before the lag alert fires.')
@allowed([
  5
  10
  15
  30
  45
  60
])
param lagAlertMinutes int = 15

@description('E-mail address the alert rules notify (broken or unreachable link; lag over the threshold). Empty: no alert rules.')
param alertEmailAddress string = ''

@description('Optional https URL that receives each transition as signed JSON: ALERT_WEBHOOK_URL. Empty: no webhook.')
param alertWebhookUrl string = ''

@description('Key Vault secret URI of the webhook\'s HMAC key (tags replication-role=alert-webhook, replication-destination=<the URL>). Required with alertWebhookUrl.')
param alertWebhookSecretUri string = ''

@description('Single Server tiers the app accepts as replicas (comma-separated; Basic, GeneralPurpose, MemoryOptimized). Data-in Replication needs GeneralPurpose or MemoryOptimized.')
param singleServerAllowedTiers string = 'GeneralPurpose,MemoryOptimized'

@description('Flexible Server tiers the app accepts as replicas (comma-separated; Burstable, GeneralPurpose, MemoryOptimized).')
param flexibleServerAllowedTiers string = 'GeneralPurpose,MemoryOptimized'

@description('Turn on Key Vault purge protection. Irreversible, and `azd down --purge` can then no longer remove the vault.')
param keyVaultPurgeProtection bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-api-${resourceToken}'
// Flex Consumption reads the deployment package from this container; azd deploy uploads to it.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
// host.json takes the hub name from DURABLE_TASK_HUB_NAME. The Azure Storage provider wants letters and digits
// only, starting with a letter, at most 45 characters; a per-environment name keeps two environments that
// share an account from stealing each other's work items.
var environmentAlphanumeric = replace(replace(replace(replace(environmentName, '-', ''), '_', ''), '.', ''), ' ', '')
var durableTaskHubName = take('replication${environmentAlphanumeric}', 45)
var effectiveMysqlResourceGroupName = empty(mysqlResourceGroupName) ? rg.name : mysqlResourceGroupName

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// Deployed into the replicas' resource group, which may differ from the app's. When that is this deployment's own
// group, the scope expression names rg, so Bicep already makes this module wait for it (checked by a test).
module mysqlOperatorRole 'app/mysql-operator-role.bicep' = {
  name: 'mysql-operator-role-${resourceToken}'
  scope: resourceGroup(effectiveMysqlResourceGroupName)
  params: {
    environmentName: environmentName
    principalId: identity.outputs.principalId
  }
}

module alerts 'app/alerts.bicep' = if (!empty(alertEmailAddress)) {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    actionGroupName: 'ag-${resourceToken}'
    alertEmailAddress: alertEmailAddress
    lagAlertThresholdSeconds: lagAlertThresholdSeconds
    lagAlertMinutes: lagAlertMinutes
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  // The roles first, so the host's first start does not meet 403s from storage, Key Vault or monitoring.
  dependsOn: [
    rbac
    mysqlOperatorRole
  ]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultHost: keyVault.outputs.host
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    durableTaskHubName: durableTaskHubName
    revalidationSchedule: revalidationSchedule
    revalidationConcurrency: revalidationConcurrency
    heartbeatLagThresholdSeconds: heartbeatLagThresholdSeconds
    healthProbeSchedule: healthProbeSchedule
    healthProbeBatchSize: healthProbeBatchSize
    healthProbeLagThresholdSeconds: lagAlertThresholdSeconds
    alertWebhookUrl: alertWebhookUrl
    alertWebhookSecretUri: alertWebhookSecretUri
    singleServerAllowedTiers: singleServerAllowedTiers
    flexibleServerAllowedTiers: flexibleServerAllowedTiers
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_MYSQL_RESOURCE_GROUP string = effectiveMysqlResourceGroupName
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output FUNCTION_APP_URL string = 'https://${api.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output DURABLE_TASK_HUB_NAME string = durableTaskHubName
