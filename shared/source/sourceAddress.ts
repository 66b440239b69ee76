// Resolves the source host to the IPv4 address the replica (and the firewall rule) will see, and classifies it.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv4");
}

export interface ResolvedAddress {
  ipv4: string | null;
  isPublic: boolean;
  problem?: string;
}

export function isPublicIpv4(address: string): boolean {
  return isIP(address) === 4 && !NON_PUBLIC.check(address, "ipv4");
}

export async function resolveSourceAddress(host: string): Promise<ResolvedAddress> {
  if (isIP(host) === 4) return { ipv4: host, isPublic: isPublicIpv4(host) };
  if (isIP(host) === 6) {
    return {
      ipv4: null,
      isPublic: false,
      problem: "is an IPv6 address; Azure firewall rules take IPv4 addresses only",
    };
  }
  try {
    const { address } = await lookup(host, { family: 4 });
    return { ipv4: address, isPublic: isPublicIpv4(address) };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unknown error";
    return { ipv4: null, isPublic: false, problem: `does not resolve to an IPv4 address (${code})` };
  }
}
