// What a copy tells its operator, without a server.
import { loadNotes } from "../../../shared/load/loadNotes";
import { rowBytes } from "../../../shared/load/sqlValues";

describe("loadNotes", () => {
  it("always says accounts are not copied, and names rewritten definers and disabled events when there are some", () => {
    expect(loadNotes(0, 0)).toEqual([expect.stringContaining("Accounts and grants")]);
    const notes = loadNotes(3, 2);
    expect(notes).toHaveLength(3);
    expect(notes[0]).toMatch(/^3 view\(s\).*DEFINER/);
    expect(notes[1]).toMatch(/^2 event\(s\) were created DISABLED ON REPLICA/);
  });
});

describe("rowBytes", () => {
  it("counts strings in UTF-8 bytes, buffers by length, NULL and numbers by a fixed size", () => {
    expect(rowBytes(["é", Buffer.alloc(10), null, 42])).toBe(2 + 10 + 4 + 8);
  });
});
