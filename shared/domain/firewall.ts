// Firewall rules and instructions: the rule this app names on the replica, and what the source's firewall must admit.

/** Single Server's `@@global.redirect_server_host` and what it resolved to: the address it connects out from. */
export interface RedirectServerHost {
  host: string;
  addresses: string[];
}

/** The firewall rule this app owns for a link; the name says who made it. */
export function firewallRuleNameFor(linkId: string): string {
  return `data-in-replication-${linkId}`;
}

/** What to tell the DBA about the source's firewall when the replica connects out to it (Flexible Server). */
export function sourceFirewallInstruction(fqdn: string | null, outboundAddress: string | undefined): string {
  return outboundAddress
    ? `The source's firewall must admit ${outboundAddress} (the replica's outbound address) on the source's port.`
    : `The source's firewall must admit the replica's outbound address on the source's port. Resource Manager does not report it: for a public-access Flexible Server it is the address its name resolves to (nslookup ${fqdn ?? "<server>.mysql.database.azure.com"}); it can change after a failover or a scale operation. Give it as replica.outboundAddress to have it named in reports and diagnoses.`;
}

/**
 * Single Server: the replica connects out from its own address, which the source's firewall must admit too (besides the
 * replica-side rule this app makes for the source). Azure documents how to find it: `SELECT @@global.redirect_server_host`
 * on the replica, then resolve that name; the address can change.
 */
export function singleServerSourceFirewallInstruction(redirect: RedirectServerHost | null): string {
  const how =
    "Find it as Azure documents: on the replica run SELECT @@global.redirect_server_host; and resolve that name (nslookup <name>); it can change, so check it again after maintenance or a scale operation.";
  if (!redirect) return `The source's firewall must admit the replica's address on the source's port. ${how}`;
  const addresses =
    redirect.addresses.length > 0 ? redirect.addresses.join(", ") : "(it did not resolve from here)";
  return `The source's firewall must admit ${addresses}, the replica's address (@@global.redirect_server_host ${redirect.host}), on the source's port. It can change: resolve ${redirect.host} again after maintenance or a scale operation.`;
}

/** The address the report names for the source's firewall to admit, whatever the kind. */
export function sourceFirewallView(
  replica: {
    kind: "single" | "flexible";
    server: { fqdn: string } | null;
    sql: { redirectServerHost: RedirectServerHost | null } | null;
  },
  outboundAddress: string | undefined,
): { replicaOutboundAddress: string | null; instruction: string } {
  if (replica.kind === "single") {
    const redirect = replica.sql?.redirectServerHost ?? null;
    return {
      replicaOutboundAddress: redirect?.addresses[0] ?? null,
      instruction: singleServerSourceFirewallInstruction(redirect),
    };
  }
  return {
    replicaOutboundAddress: outboundAddress ?? null,
    instruction: sourceFirewallInstruction(replica.server?.fqdn ?? null, outboundAddress),
  };
}
