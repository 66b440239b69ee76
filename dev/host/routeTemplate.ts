// Functions-host route templates ("replications/{id}", "{id:int?}", "{*rest}") compiled to matchers with precedence.

interface Segment {
  kind: "literal" | "param" | "catchAll";
  text: string;
  name: string;
  constraint: string | undefined;
  optional: boolean;
}

export interface RouteMatch {
  params: Record<string, string>;
}

export class RouteTemplate {
  readonly #segments: Segment[];

  constructor(readonly template: string) {
    this.#segments = template
      .split("/")
      .filter((s) => s !== "")
      .map(parseSegment);
  }

  /** Literal segments beat constrained parameters beat plain parameters beat catch-alls, left to right (ASP.NET). */
  get precedence(): number[] {
    return this.#segments.map((s) =>
      s.kind === "literal" ? 4 : s.kind === "catchAll" ? 0 : s.constraint ? 3 : s.optional ? 1 : 2,
    );
  }

  match(pathSegments: string[]): RouteMatch | undefined {
    const params: Record<string, string> = {};
    let i = 0;
    for (const seg of this.#segments) {
      if (seg.kind === "catchAll") {
        params[seg.name] = pathSegments.slice(i).join("/");
        return { params };
      }
      const value = pathSegments[i];
      if (value === undefined) {
        if (seg.kind === "param" && seg.optional) continue;
        return undefined;
      }
      if (seg.kind === "literal") {
        if (value.toLowerCase() !== seg.text.toLowerCase()) return undefined;
      } else {
        if (!satisfies(value, seg.constraint)) return undefined;
        params[seg.name] = value;
      }
      i++;
    }
    return i === pathSegments.length ? { params } : undefined;
  }
}

function parseSegment(text: string): Segment {
  const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([^?}]+))?(\?)?\}$/.exec(text);
  if (!m) return { kind: "literal", text, name: "", constraint: undefined, optional: false };
  return {
    kind: m[1] ? "catchAll" : "param",
    text,
    name: m[2] ?? "",
    constraint: m[3],
    optional: Boolean(m[4]),
  };
}

function satisfies(value: string, constraint: string | undefined): boolean {
  switch (constraint?.toLowerCase()) {
    case undefined:
      return true;
    case "int":
    case "long":
      return /^-?\d+$/.test(value);
    case "alpha":
      return /^[A-Za-z]+$/.test(value);
    case "bool":
      return /^(true|false)$/i.test(value);
    case "guid":
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
    default:
      // Other ASP.NET constraints (regex(), min(), ...) are accepted rather than guessed at.
      return true;
  }
}
