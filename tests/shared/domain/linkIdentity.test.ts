// Link identity without a server: the same host, port and user is the same link; anything else is another one.
import { isSameLink, linkSourceOf, sameSource } from "../../../shared/domain/linkIdentity";

const source = linkSourceOf({ host: "db.example.com", port: 3306, replicationUser: "repl" });
const linked = { configured: true, sourceHost: "db.example.com", sourcePort: 3306, sourceUser: "repl" };

describe("isSameLink", () => {
  it("is the same link when host, port and user match", () => {
    expect(isSameLink(linked, source)).toBe(true);
  });

  it.each([
    ["another host", { sourceHost: "other.example.com" }],
    ["another port", { sourcePort: 3307 }],
    ["another user", { sourceUser: "someone" }],
    ["no link at all", { configured: false }],
  ])("is another link with %s", (_name, change) => {
    expect(isSameLink({ ...linked, ...change }, source)).toBe(false);
  });

  it("a replica reporting nothing is not linked to anything", () => {
    expect(
      isSameLink({ configured: true, sourceHost: null, sourcePort: null, sourceUser: null }, source),
    ).toBe(false);
  });
});

describe("sameSource", () => {
  it("compares all three parts", () => {
    expect(sameSource(source, { ...source })).toBe(true);
    expect(sameSource(source, { ...source, port: 3307 })).toBe(false);
  });
});
