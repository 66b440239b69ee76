// The provisioning orchestrator and its activities, registered with their factories' dependencies.
import * as df from "durable-functions";
import { PROVISION_ORCHESTRATOR, provisionOrchestrator } from "../shared/workflow/provisionOrchestrator";
import { workflowDependencies } from "../shared/workflow/dependencies";
import {
  VALIDATE_SOURCE_ACTIVITY,
  createValidateSourceActivity,
} from "../shared/workflow/activities/validateSourceActivity";
import {
  INSPECT_REPLICA_ACTIVITY,
  createInspectReplicaActivity,
} from "../shared/workflow/activities/inspectReplicaActivity";
import {
  OPEN_FIREWALL_ACTIVITY,
  createOpenFirewallActivity,
} from "../shared/workflow/activities/openFirewallActivity";
import {
  LINK_REPLICA_ACTIVITY,
  createLinkReplicaActivity,
} from "../shared/workflow/activities/linkReplicaActivity";
import {
  CHECK_REPLICATION_ACTIVITY,
  createCheckReplicationActivity,
} from "../shared/workflow/activities/checkReplicationActivity";
import { RESET_GTID_ACTIVITY, createResetGtidActivity } from "../shared/workflow/activities/resetGtidActivity";
import {
  SET_TABLE_FILTER_ACTIVITY,
  createSetTableFilterActivity,
} from "../shared/workflow/activities/tableFilterActivity";
import { ROLLBACK_ACTIVITY, createRollbackActivity } from "../shared/workflow/activities/rollbackActivity";
import {
  RECORD_LINK_ACTIVITY,
  createRecordLinkActivity,
} from "../shared/workflow/activities/recordLinkActivity";

df.app.orchestration(PROVISION_ORCHESTRATOR, provisionOrchestrator);

const activities = {
  [VALIDATE_SOURCE_ACTIVITY]: createValidateSourceActivity,
  [INSPECT_REPLICA_ACTIVITY]: createInspectReplicaActivity,
  [OPEN_FIREWALL_ACTIVITY]: createOpenFirewallActivity,
  [RESET_GTID_ACTIVITY]: createResetGtidActivity,
  [SET_TABLE_FILTER_ACTIVITY]: createSetTableFilterActivity,
  [LINK_REPLICA_ACTIVITY]: createLinkReplicaActivity,
  [CHECK_REPLICATION_ACTIVITY]: createCheckReplicationActivity,
  [ROLLBACK_ACTIVITY]: createRollbackActivity,
  [RECORD_LINK_ACTIVITY]: createRecordLinkActivity,
};

for (const [name, factory] of Object.entries(activities)) {
  const handler = factory(workflowDependencies) as (input: never) => Promise<unknown>;
  df.app.activity(name, { handler: (input: unknown) => handler(input as never) });
}
