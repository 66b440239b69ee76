// Removing a registered link: only a link to its own source, the rule this app created, the table filter it set.
import { unlinkInput, unlinkReplica } from "../../../../shared/workflow/steps/unlinkReplica";
import { drive } from "../fakeOrchestration";
import { linkRecord } from "../linkRecordFixture";

describe("unlinkInput", () => {
  it("removes only a link to the link's own source, and the rule this app created", () => {
    expect(unlinkInput(linkRecord())).toEqual({
      replica: {
        kind: "single",
        subscriptionId: "sub",
        resourceGroup: "rg",
        serverName: "replica",
        adminUser: "admin",
        adminPassword: { appSetting: "REPLICATION_SECRET_ADMIN" },
      },
      fqdn: "replica.mysql.database.azure.com",
      removeLink: true,
      onlyIfSource: { host: "db.example.com", port: 3306, user: "repl" },
      deleteFirewallRule: "data-in-replication-rpl-1",
      restoreTableFilter: null,
    });
  });

  it("keeps a rule that existed before, and puts the table filter back", () => {
    const filter = {
      parameter: "replicate_wild_ignore_table" as const,
      ignoreTables: ["shop.audit_%"],
      value: "shop.audit_%",
      previousValue: "",
    };
    const input = unlinkInput(linkRecord({ firewallRuleCreatedByApp: false, tableFilters: filter }));
    expect(input.deleteFirewallRule).toBeNull();
    expect(input.restoreTableFilter).toBe(filter);
  });

  it("names the rule after the link when the row does not, and has no FQDN for a link never assessed", () => {
    const input = unlinkInput(linkRecord({ firewallRuleName: null, replicaFqdn: "" }));
    expect(input.deleteFirewallRule).toBe("data-in-replication-rpl-1");
    expect(input.fqdn).toBeNull();
  });
});

describe("unlinkReplica", () => {
  it("returns the activity's decoded result", () => {
    const done = { ok: true, actions: [{ action: "removeLink", outcome: "done", detail: "removed" }] };
    const run = drive(
      (context) => unlinkReplica(context, linkRecord()),
      () => ({ value: done }),
    );
    expect(run.result).toEqual(done);
  });

  it("turns retries that ran out, or a result of the wrong shape, into a failed result with the reason", () => {
    const exhausted = drive(
      (context) => unlinkReplica(context, linkRecord()),
      () => ({ error: new Error("ETIMEDOUT: connect timed out \n    at stack") }),
    );
    expect(exhausted.result).toEqual({ ok: false, actions: [], error: "ETIMEDOUT: connect timed out" });
    const malformed = drive(
      (context) => unlinkReplica(context, linkRecord()),
      () => ({ value: { ok: "yes" } }),
    );
    expect(malformed.result).toMatchObject({
      ok: false,
      actions: [],
      error: expect.stringMatching(/rollbackProvisioning/),
    });
  });
});
