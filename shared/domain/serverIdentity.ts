// A MySQL server's flavor and version as the rules compare them (read by mysql/mysqlSession).
type Flavor = "mysql" | "mariadb";

export interface ServerIdentity {
  flavor: Flavor;
  /** Full version string, e.g. "8.0.36" or "10.11.6-MariaDB-0+deb12u1". */
  version: string;
  /** "8.0", "10.11". */
  majorMinor: string;
  major: number;
  minor: number;
  patch: number;
}
