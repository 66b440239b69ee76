// Link identity: a replication link is the source host, port and user it replicates from; the same three mean the same link.
export interface LinkSource {
  host: string;
  port: number;
  user: string;
}

/** What a replica reports about its link (SHOW REPLICA STATUS), as far as identity goes. */
export interface ReplicaLinkState {
  configured: boolean;
  sourceHost: string | null;
  sourcePort: number | null;
  sourceUser: string | null;
}

export function linkSourceOf(source: { host: string; port: number; replicationUser: string }): LinkSource {
  return { host: source.host, port: source.port, user: source.replicationUser };
}

export function sameSource(a: LinkSource, b: LinkSource): boolean {
  return a.host === b.host && a.port === b.port && a.user === b.user;
}

/** The replica already replicates from this source as this user. */
export function isSameLink(link: ReplicaLinkState, source: LinkSource): boolean {
  return (
    link.configured &&
    link.sourceHost === source.host &&
    link.sourcePort === source.port &&
    link.sourceUser === source.user
  );
}
