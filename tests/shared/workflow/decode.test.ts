// Activity results decoded by each activity's schema: what passes, what is refused, and that the error names the activity.
import { decode } from "../../../shared/workflow/decode";
import { linkReplicaResultSchema } from "../../../shared/workflow/activities/linkReplicaActivity";
import { rollbackResultSchema } from "../../../shared/workflow/activities/rollbackActivity";
import { inspectReplicaResultSchema } from "../../../shared/workflow/activities/inspectReplicaActivity";

describe("decode", () => {
  it("returns a well-formed success and a returned permanent failure as they are", () => {
    const linked = {
      ok: true,
      value: { coordinates: { file: "bin.000002", position: 4 }, gtidPosition: null, alreadyLinked: false },
    };
    expect(decode(linkReplicaResultSchema, "linkReplica", linked)).toEqual(linked);
    const refused = { ok: false, error: { code: "LINK_CONFLICT", message: "m", remedy: "r" } };
    expect(decode(linkReplicaResultSchema, "linkReplica", refused)).toEqual(refused);
  });

  it("refuses a value of the wrong shape, naming the activity and the field", () => {
    const wrong = {
      ok: true,
      value: { coordinates: "bin.000002:4", gtidPosition: null, alreadyLinked: false },
    };
    expect(() => decode(linkReplicaResultSchema, "linkReplica", wrong)).toThrow(
      /Activity linkReplica returned an unexpected result shape: value\.coordinates/,
    );
    expect(() => decode(linkReplicaResultSchema, "linkReplica", null)).toThrow(/linkReplica/);
  });

  it("decodes the rollback's result instead of trusting it", () => {
    const done = { ok: true, actions: [{ action: "removeLink", outcome: "done", detail: "removed" }] };
    expect(decode(rollbackResultSchema, "rollbackProvisioning", done)).toEqual(done);
    const unknownAction = { ok: true, actions: [{ action: "dropDatabase", outcome: "done", detail: "" }] };
    expect(() => decode(rollbackResultSchema, "rollbackProvisioning", unknownAction)).toThrow(
      /rollbackProvisioning/,
    );
  });

  it("keeps the fields an envelope schema does not check (a large result passes through whole)", () => {
    const inspection = {
      ok: true,
      value: {
        firewallDirection: "replicaAdmitsSource",
        server: { fqdn: "replica.example", kind: "single", version: "8.0" },
        checks: [],
        sql: { serverId: 7 },
        firewallRule: null,
      },
    };
    expect(decode(inspectReplicaResultSchema, "inspectReplica", inspection)).toEqual(inspection);
    const missingDirection = { ok: true, value: { ...inspection.value, firewallDirection: "sideways" } };
    expect(() => decode(inspectReplicaResultSchema, "inspectReplica", missingDirection)).toThrow(
      /inspectReplica.*firewallDirection/,
    );
  });
});
