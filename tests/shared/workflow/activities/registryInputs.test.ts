// Records in orchestration histories recorded before the record embedded source and replica still decode, into the new shape.
import {
  linkRecordInputSchema,
  linkRecordResultSchema,
} from "../../../../shared/workflow/activities/registryInputs";
import {
  claimLinkResultSchema,
  releaseLinkInputSchema,
} from "../../../../shared/workflow/activities/linkClaimActivities";
import { earlierFlatLinkRecord, linkRecord } from "../linkRecordFixture";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const record = linkRecord({ replica: { ...linkRecord().replica, subscriptionId: SUBSCRIPTION } });

/** `record` as the earlier version's loadLink and claimLink returned it, and as its history holds it (JSON). */
const flatRecord = earlierFlatLinkRecord({ subscriptionId: SUBSCRIPTION });

describe("a link record recorded flat by an earlier version", () => {
  it("replays as a loadLink result in the record's current shape", () => {
    expect(linkRecordResultSchema.parse(flatRecord)).toEqual(record);
  });

  it("replays as a claimLink result in the record's current shape", () => {
    expect(claimLinkResultSchema.parse({ claimed: true, record: flatRecord })).toEqual({
      claimed: true,
      record,
    });
  });

  it("decodes as a queued recordLink input into the current shape, its references still checked", () => {
    expect(linkRecordInputSchema.parse(flatRecord)).toEqual(record);
    const withPassword = linkRecordInputSchema.safeParse({
      ...flatRecord,
      adminPassword: "hunter22-password",
    });
    expect(withPassword.success).toBe(false);
  });

  it("decodes a current record unchanged", () => {
    const current = JSON.parse(JSON.stringify(record)) as unknown;
    expect(linkRecordResultSchema.parse(current)).toEqual(record);
    expect(linkRecordInputSchema.parse(current)).toEqual(record);
  });
});

describe("a rotation's changes recorded flat by an earlier version", () => {
  it("decode as changes of the link's source", () => {
    const input = releaseLinkInputSchema.parse({
      id: "rpl-1",
      heldAs: "rotating",
      at: "2026-12-01T10:00:00.000Z",
      state: "replicating",
      lastError: null,
      changes: {
        replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" },
        caCertificate: null,
        binlogFile: "binlog.000002",
        binlogPosition: 154,
      },
    });
    expect(input.changes).toEqual({
      source: { replicationPassword: { appSetting: "REPLICATION_SECRET_NEW" }, caCertificate: null },
      binlogFile: "binlog.000002",
      binlogPosition: 154,
    });
  });
});
