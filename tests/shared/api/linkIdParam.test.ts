// The {id} of the link routes: every id linkIdFor makes is accepted, anything else is the routes' 404.
import type { HttpRequest } from "@azure/functions";
import { isLinkId, linkIdParam } from "../../../shared/api/linkIdParam";
import { linkIdFor } from "../../../shared/workflow/provisionTypes";

function requestFor(id: string | undefined): HttpRequest {
  return { params: id === undefined ? {} : { id } } as unknown as HttpRequest;
}

describe("linkIdParam", () => {
  const id = linkIdFor({
    kind: "flexible",
    subscriptionId: "sub",
    resourceGroup: "Rg",
    serverName: "Replica",
  });

  it("accepts the ids linkIdFor makes", () => {
    expect(isLinkId(id)).toBe(true);
    expect(linkIdParam(requestFor(id))).toEqual({ id });
  });

  it.each([undefined, "", "rpl-XYZ", `${id}0`, id.toUpperCase(), `x${id}`])("answers 404 for %p", (value) => {
    const result = linkIdParam(requestFor(value));
    expect(result).toEqual({
      response: expect.objectContaining({
        status: 404,
        jsonBody: { error: { code: "NotFound", message: `No replication with id ${value ?? ""}.` } },
      }),
    });
  });
});
