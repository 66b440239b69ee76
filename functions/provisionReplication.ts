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
import { ROLLBACK_ACTIVITY, createRollbackActivity } from "../shared/workflow/activities/rollbackActivity";
import {
  RECORD_LINK_ACTIVITY,
  createRecordLinkActivity,
} from "../shared/workflow/activities/recordLinkActivity";
import { PLAN_LOAD_ACTIVITY, createPlanLoadActivity } from "../shared/workflow/activities/planLoadActivity";
import {
  COPY_SNAPSHOT_ACTIVITY,
  createCopySnapshotActivity,
} from "../shared/workflow/activities/copySnapshotActivity";
import { UNDO_LOAD_ACTIVITY, createUndoLoadActivity } from "../shared/workflow/activities/undoLoadActivity";

df.app.orchestration(PROVISION_ORCHESTRATOR, provisionOrchestrator);

const activities = {
  [VALIDATE_SOURCE_ACTIVITY]: createValidateSourceActivity,
  [INSPECT_REPLICA_ACTIVITY]: createInspectReplicaActivity,
  [OPEN_FIREWALL_ACTIVITY]: createOpenFirewallActivity,
  [LINK_REPLICA_ACTIVITY]: createLinkReplicaActivity,
  [CHECK_REPLICATION_ACTIVITY]: createCheckReplicationActivity,
  [ROLLBACK_ACTIVITY]: createRollbackActivity,
  [RECORD_LINK_ACTIVITY]: createRecordLinkActivity,
  [PLAN_LOAD_ACTIVITY]: createPlanLoadActivity,
  [COPY_SNAPSHOT_ACTIVITY]: createCopySnapshotActivity,
  [UNDO_LOAD_ACTIVITY]: createUndoLoadActivity,
};

for (const [name, factory] of Object.entries(activities)) {
  const handler = factory(workflowDependencies) as (input: never) => Promise<unknown>;
  df.app.activity(name, { handler: (input: unknown) => handler(input as never) });
}
