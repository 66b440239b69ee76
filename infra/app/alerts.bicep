// Azure Monitor alerts on the health probe's telemetry: a link broken or unreachable, and lag above a threshold for N minutes, mailed by one action group.

param location string
param tags object = {}
param applicationInsightsId string
param actionGroupName string
@description('Where alerts are mailed.')
param alertEmailAddress string
@description('Lag (Seconds_Behind_Source) in seconds over which a link alerts when it stays there for lagAlertMinutes.')
param lagAlertThresholdSeconds int
@description('Minutes the lag must stay over the threshold before the alert fires (the evaluation window).')
@allowed([
  5
  10
  15
  30
  45
  60
])
param lagAlertMinutes int

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'replalerts'
    enabled: true
    emailReceivers: [
      {
        name: 'dba'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

// customEvents rows come from the probe's TelemetryClient.trackEvent (shared/probe/probeTelemetry.ts).
resource linkDown 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-replication-link-down-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  properties: {
    displayName: 'Replication link broken or unreachable'
    description: 'The health probe recorded a transition of a data-in replication link to broken (IO or SQL thread stopped, with its error number) or unreachable.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'customEvents | where name == "ReplicationLinkTransition" | extend state = tostring(customDimensions.state), linkId = tostring(customDimensions.linkId), replica = tostring(customDimensions.replica), errno = tostring(customDimensions.errno) | where state in ("broken", "unreachable")'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'linkId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'replica'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'state'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'errno'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// customMetrics rows come from TelemetryClient.trackMetric, one per link per probe pass while the lag is known. The
// window's minimum over the threshold means the lag stayed above it for the whole window.
resource lagHigh 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-replication-lag-${uniqueString(applicationInsightsId)}'
  location: location
  tags: tags
  properties: {
    displayName: 'Replication lag above ${lagAlertThresholdSeconds} s for ${lagAlertMinutes} minutes'
    description: 'Seconds_Behind_Source of a data-in replication link, as the health probe reads it, stayed above the threshold for the whole window.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT${lagAlertMinutes}M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "ReplicationLagSeconds" | extend linkId = tostring(customDimensions.linkId), replica = tostring(customDimensions.replica)'
          timeAggregation: 'Minimum'
          metricMeasureColumn: 'value'
          operator: 'GreaterThan'
          threshold: lagAlertThresholdSeconds
          dimensions: [
            {
              name: 'linkId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'replica'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
