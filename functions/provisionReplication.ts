// The provisioning orchestrator and its activities, each handler typed by its input and called with its invocation context.
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
import {
  RESET_GTID_ACTIVITY,
  createResetGtidActivity,
} from "../shared/workflow/activities/resetGtidActivity";
import {
  SET_TABLE_FILTER_ACTIVITY,
  createSetTableFilterActivity,
} from "../shared/workflow/activities/tableFilterActivity";
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

df.app.activity(VALIDATE_SOURCE_ACTIVITY, { handler: createValidateSourceActivity(workflowDependencies) });
df.app.activity(INSPECT_REPLICA_ACTIVITY, { handler: createInspectReplicaActivity(workflowDependencies) });
df.app.activity(OPEN_FIREWALL_ACTIVITY, { handler: createOpenFirewallActivity(workflowDependencies) });
df.app.activity(RESET_GTID_ACTIVITY, { handler: createResetGtidActivity(workflowDependencies) });
df.app.activity(LINK_REPLICA_ACTIVITY, { handler: createLinkReplicaActivity(workflowDependencies) });
df.app.activity(CHECK_REPLICATION_ACTIVITY, {
  handler: createCheckReplicationActivity(workflowDependencies),
});
df.app.activity(ROLLBACK_ACTIVITY, { handler: createRollbackActivity(workflowDependencies) });
df.app.activity(RECORD_LINK_ACTIVITY, { handler: createRecordLinkActivity(workflowDependencies) });
df.app.activity(PLAN_LOAD_ACTIVITY, { handler: createPlanLoadActivity(workflowDependencies) });
df.app.activity(COPY_SNAPSHOT_ACTIVITY, { handler: createCopySnapshotActivity(workflowDependencies) });
df.app.activity(UNDO_LOAD_ACTIVITY, { handler: createUndoLoadActivity(workflowDependencies) });
df.app.activity(SET_TABLE_FILTER_ACTIVITY, { handler: createSetTableFilterActivity(workflowDependencies) });
