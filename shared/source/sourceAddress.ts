// Resolves the source host once, judges every address it resolves to, and names the one IPv4 address to connect to.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

function blockList(ranges: readonly (readonly [string, number, "ipv4" | "ipv6"])[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/**
 * Never connected to, whatever ALLOW_PRIVATE_SOURCE_ADDRESSES says: "this host" (0/8), link-local (where cloud
 * metadata services live: 169.254.169.254, and fe80::/10), Azure's platform address 168.63.129.16 (wire server,
 * DNS, health probes), multicast, reserved and broadcast, the unspecified IPv6 address.
 */
const FORBIDDEN = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["168.63.129.16", 32, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
]);

/** Not reachable from an Azure replica; accepted only with ALLOW_PRIVATE_SOURCE_ADDRESSES (local sandboxes). */
const PRIVATE = blockList([
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
]);

export type AddressClass = "public" | "private" | "forbidden";

/** Classifies one IP address (IPv4-mapped IPv6 is judged by the IPv4 address inside it). */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return "forbidden";
  if (family === 6) {
    const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const hex = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
    if (mapped?.[1]) return classifyAddress(mapped[1]);
    if (hex?.[1] && hex[2]) {
      const high = parseInt(hex[1], 16);
      const low = parseInt(hex[2], 16);
      return classifyAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
    }
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  if (FORBIDDEN.check(address, type)) return "forbidden";
  if (PRIVATE.check(address, type)) return "private";
  return "public";
}

export type AddressJudgement =
  | { verdict: "pass" | "warn"; connectTo: string; message: string; remedy: string }
  | {
      verdict: "fail";
      connectTo: null;
      resolvedIpv4: string | null;
      message: string;
      remedy: string;
      /** True when the only objection is a private address (a VNet-integrated replica may accept it). */
      privateOnly?: boolean;
    };

const PUBLIC_REMEDY =
  "Use a host name with a public IPv4 (A) record, or the source's public IPv4 address in dotted-decimal form.";

function refused(
  message: string,
  resolvedIpv4: string | null = null,
  remedy = PUBLIC_REMEDY,
): AddressJudgement {
  return { verdict: "fail", connectTo: null, resolvedIpv4, message, remedy };
}

/**
 * Host texts that only look like names: every label numeric or hexadecimal (`2130706433`, `0x7f000001`, `127.1`,
 * `0177.0.0.1`). The resolver would read them as IPv4 addresses in another notation; a real DNS name never has an
 * all-numeric top-level label.
 */
function isNumericForm(host: string): boolean {
  const last = host.replace(/\.$/, "").split(".").pop() ?? "";
  return /^(0x[0-9a-f]*|\d+)$/i.test(last);
}

type Lookup = (host: string) => Promise<{ address: string }[]>;

/** Every address `host` stands for (itself when an IPv4 address), or the refusal when it is no usable name or address. */
async function resolveOnce(host: string, lookupAll?: Lookup): Promise<string[] | AddressJudgement> {
  const family = isIP(host);
  if (family === 6) {
    return refused(`Source host ${host} is an IPv6 address; Azure firewall rules take IPv4 addresses only.`);
  }
  if (family === 4) {
    return host.split(".").map(Number).join(".") === host
      ? [host]
      : refused(`Source host ${host} is not an IPv4 address in canonical dotted-decimal form.`);
  }
  if (isNumericForm(host)) {
    return refused(`Source host ${host} is an IP address in a non-standard notation, not a host name.`);
  }
  try {
    const resolve = lookupAll ?? ((name: string) => lookup(name, { all: true, verbatim: true }));
    return (await resolve(host)).map((entry) => entry.address);
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unknown error";
    return refused(`Source host ${host} does not resolve (${code}).`);
  }
}

/**
 * Resolves `host` once and judges every address: one forbidden address refuses the host, private ones need
 * `allowPrivate`. The caller connects to `connectTo` (the judged IPv4 address), never to the name again, so a
 * second lookup cannot answer differently (DNS rebinding).
 */
export async function judgeSourceAddress(
  host: string,
  options: {
    allowPrivate: boolean;
    /**
     * The delegated subnet of a VNet-integrated Flexible Server replica: a private address is then acceptable (with a
     * warning: it must be routable from that VNet). Link-local, platform and reserved addresses stay refused.
     */
    vnetSubnet?: string | null;
    lookupAll?: Lookup;
  },
): Promise<AddressJudgement> {
  const addresses = await resolveOnce(host, options.lookupAll);
  if (!Array.isArray(addresses)) return addresses;
  const ipv4 = addresses.filter((address) => isIP(address) === 4);
  const first = ipv4[0];
  if (first === undefined) {
    return refused(
      `Source host ${host} does not resolve to an IPv4 address; Azure firewall rules take IPv4 only.`,
    );
  }
  const classes = addresses.map((address) => [address, classifyAddress(address)] as const);
  const forbidden = classes.find(([, kind]) => kind === "forbidden");
  if (forbidden) {
    return refused(
      `Source host ${host} resolves to ${forbidden[0]}, a link-local, platform or reserved address this app never connects to.`,
      first,
    );
  }
  const nonPublic = classes.find(([, kind]) => kind === "private");
  const shown = addresses.length > 1 ? `${first} (of ${addresses.join(", ")})` : first;
  if (!nonPublic) {
    return {
      verdict: "pass",
      connectTo: first,
      message: `Source host ${host} resolves to public address ${shown}.`,
      remedy: "",
    };
  }
  if (options.vnetSubnet && !options.allowPrivate) {
    return {
      verdict: "warn",
      connectTo: first,
      message: `Source host ${host} resolves to private address ${shown}; accepted because the replica is VNet-integrated (subnet ${options.vnetSubnet}).`,
      remedy:
        "The address must be routable from the replica's VNet (peering, VPN or ExpressRoute to the source's network) and the name must resolve there the same way (the VNet's DNS or a private DNS zone); the source's firewall must admit the replica's subnet.",
    };
  }
  if (!options.allowPrivate) {
    return {
      ...refused(
        `Source host ${host} resolves to non-public address ${nonPublic[0]}: the Azure replica cannot reach it.`,
        first,
        "Expose the source on a public address (or through a public load balancer/NAT) and give that host name or address; a private source needs a Flexible Server replica with VNet integration whose VNet routes to it.",
      ),
      privateOnly: true,
    } as AddressJudgement;
  }
  return {
    verdict: "warn",
    connectTo: first,
    message: `Source host ${host} resolves to non-public address ${shown}; accepted because ALLOW_PRIVATE_SOURCE_ADDRESSES is on. An Azure replica cannot reach it.`,
    remedy: "Turn ALLOW_PRIVATE_SOURCE_ADDRESSES off outside local sandboxes.",
  };
}

/** A source connection refused before it was made; the message says why. */
class SourceAddressRefusedError extends Error {
  override readonly name = "SourceAddressRefusedError";
}

/** The judged address to connect to, or a SourceAddressRefusedError: for connections outside validation. */
export async function pinSourceAddress(
  host: string,
  allowPrivate: boolean,
  vnetSubnet: string | null = null,
): Promise<string> {
  const judgement = await judgeSourceAddress(host, { allowPrivate, vnetSubnet });
  if (judgement.verdict === "fail") throw new SourceAddressRefusedError(judgement.message);
  return judgement.connectTo;
}
