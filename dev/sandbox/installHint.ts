// What to install when no MariaDB/MySQL server binary is found, for this machine's operating system.
import { readFileSync } from "node:fs";

/** ID and ID_LIKE of /etc/os-release, lower-cased; empty off Linux or when the file is unreadable. */
function linuxDistributionIds(): string[] {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    const ids: string[] = [];
    for (const line of text.split("\n")) {
      const match = /^(ID|ID_LIKE)=(.*)$/.exec(line.trim());
      if (match?.[2]) ids.push(...match[2].replace(/["']/g, "").toLowerCase().split(/\s+/));
    }
    return ids;
  } catch {
    return [];
  }
}

/** The command that installs a server binary the sandbox can use; only the binaries are used, never the service. */
export function installHint(
  platform: NodeJS.Platform = process.platform,
  ids = linuxDistributionIds(),
): string {
  if (platform === "darwin") return "brew install mariadb";
  const has = (...names: string[]) => names.some((name) => ids.includes(name));
  if (has("debian", "ubuntu")) return "sudo apt-get install -y mariadb-server";
  if (has("fedora", "rhel", "centos")) return "sudo dnf install -y mariadb-server";
  if (has("suse", "opensuse")) return "sudo zypper install -y mariadb";
  if (has("arch")) return "sudo pacman -S --needed mariadb";
  if (has("alpine")) return "sudo apk add mariadb";
  return "install the mariadb-server package of your distribution (Debian/Ubuntu: sudo apt-get install -y mariadb-server)";
}
