// Firewall rules and instructions without a server: the rule name this app owns, what the source's firewall must admit.
import {
  firewallRuleNameFor,
  singleServerSourceFirewallInstruction,
  sourceFirewallView,
} from "../../../shared/domain/firewall";

describe("firewall", () => {
  it("names the rule after the link, so it is recognisably this app's", () => {
    expect(firewallRuleNameFor("rpl-0123456789abcdef0123")).toBe(
      "data-in-replication-rpl-0123456789abcdef0123",
    );
  });

  it("Flexible Server: names the outbound address the DBA gave", () => {
    const view = sourceFirewallView(
      { kind: "flexible", server: { fqdn: "r.mysql.database.azure.com" }, sql: null },
      "203.0.113.5",
    );
    expect(view.replicaOutboundAddress).toBe("203.0.113.5");
    expect(view.instruction).toContain("203.0.113.5");
  });

  it("Flexible Server without an address: says how to find it from the server's name", () => {
    const view = sourceFirewallView(
      { kind: "flexible", server: { fqdn: "r.mysql.database.azure.com" }, sql: null },
      undefined,
    );
    expect(view.replicaOutboundAddress).toBeNull();
    expect(view.instruction).toContain("nslookup r.mysql.database.azure.com");
  });

  it("Single Server: names the redirect host's addresses", () => {
    const redirect = { host: "cr1.westeurope1-a.control.database.windows.net", addresses: ["198.51.100.7"] };
    const view = sourceFirewallView(
      {
        kind: "single",
        server: { fqdn: "r.mysql.database.azure.com" },
        sql: { redirectServerHost: redirect },
      },
      undefined,
    );
    expect(view.replicaOutboundAddress).toBe("198.51.100.7");
    expect(view.instruction).toContain(redirect.host);
    expect(singleServerSourceFirewallInstruction({ ...redirect, addresses: [] })).toContain(
      "did not resolve from here",
    );
  });
});
