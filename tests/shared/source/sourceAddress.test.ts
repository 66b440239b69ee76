// Address judging: every notation of a loopback, link-local or platform address is refused or needs the private setting.
import { classifyAddress, judgeSourceAddress } from "../../../shared/source/sourceAddress";

const noLookup = (): Promise<{ address: string }[]> => Promise.reject(new Error("must not resolve"));

describe("judgeSourceAddress", () => {
  it.each([
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::1",
    "2130706433",
    "0x7f000001",
    "127.1",
    "0177.0.0.1",
    "127.000.000.001",
    "169.254.169.254",
    "168.63.129.16",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "fe80::1",
  ])("refuses %s even where private addresses are allowed, without a lookup", async (host) => {
    const judgement = await judgeSourceAddress(host, { allowPrivate: true, lookupAll: noLookup });
    expect(judgement.verdict).toBe("fail");
    expect(judgement.connectTo).toBeNull();
  });

  it.each(["10.1.2.3", "100.64.0.1", "127.0.0.1", "172.16.5.4", "192.168.1.1"])(
    "refuses private %s unless allowed, and then only warns",
    async (host) => {
      expect((await judgeSourceAddress(host, { allowPrivate: false })).verdict).toBe("fail");
      const allowed = await judgeSourceAddress(host, { allowPrivate: true });
      expect(allowed).toMatchObject({ verdict: "warn", connectTo: host });
    },
  );

  it("judges every address a name resolves to, and connects to the judged IPv4 address", async () => {
    const lookupAll = (answers: string[]) => () => Promise.resolve(answers.map((address) => ({ address })));
    expect(
      await judgeSourceAddress("db.example.com", { allowPrivate: false, lookupAll: lookupAll(["20.1.2.3"]) }),
    ).toMatchObject({ verdict: "pass", connectTo: "20.1.2.3" });
    for (const answers of [
      ["20.1.2.3", "169.254.169.254"],
      ["20.1.2.3", "::ffff:169.254.169.254"],
      ["20.1.2.3", "fe80::1"],
      ["168.63.129.16"],
    ]) {
      const judgement = await judgeSourceAddress("db.example.com", {
        allowPrivate: true,
        lookupAll: lookupAll(answers),
      });
      expect(judgement.verdict).toBe("fail");
    }
    expect(
      (
        await judgeSourceAddress("db.example.com", {
          allowPrivate: false,
          lookupAll: lookupAll(["20.1.2.3", "10.0.0.1"]),
        })
      ).verdict,
    ).toBe("fail");
  });

  it("classifies IPv4-mapped IPv6 by the address inside", () => {
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("forbidden");
    expect(classifyAddress("::ffff:10.0.0.1")).toBe("private");
    expect(classifyAddress("fd00::1")).toBe("private");
    expect(classifyAddress("20.1.2.3")).toBe("public");
  });
});

describe("judgeSourceAddress for a VNet-integrated replica", () => {
  const subnet =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/mysql";

  it.each(["10.1.2.3", "172.16.5.4", "192.168.1.1"])(
    "accepts private %s with a warning that it must be routable from the VNet",
    async (host) => {
      const judgement = await judgeSourceAddress(host, { allowPrivate: false, vnetSubnet: subnet });
      expect(judgement).toMatchObject({ verdict: "warn", connectTo: host });
      expect(judgement.message).toContain(subnet);
      expect(judgement.remedy).toMatch(/routable from the replica's VNet/);
    },
  );

  it("refuses a private address for a public replica, saying it is only the address", async () => {
    const judgement = await judgeSourceAddress("10.1.2.3", { allowPrivate: false });
    expect(judgement).toMatchObject({ verdict: "fail", privateOnly: true });
    expect(judgement.remedy).toMatch(/VNet integration/);
  });

  it.each(["169.254.169.254", "168.63.129.16", "0.0.0.0"])(
    "still refuses link-local and platform address %s",
    async (host) => {
      const judgement = await judgeSourceAddress(host, { allowPrivate: false, vnetSubnet: subnet });
      expect(judgement.verdict).toBe("fail");
      expect(judgement).not.toHaveProperty("privateOnly");
    },
  );
});
