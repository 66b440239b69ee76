// The dashboard's single HTML page: inline CSS and script, no CDN, no build step; data from /api/dashboard/data with the page's own key.
import { createHash } from "node:crypto";

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #59636e; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0 0.25rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
p.meta { color: var(--muted); margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 0.45rem 0.6rem; vertical-align: top; }
thead th { border-bottom: 2px solid #8884; font-size: 0.85rem; color: var(--muted); }
tbody tr { border-bottom: 1px solid #8883; }
.state { font-weight: 600; text-transform: uppercase; font-size: 0.8rem; letter-spacing: 0.03em; padding: 0.1rem 0.45rem; border-radius: 0.3rem; border: 1px solid; white-space: nowrap; }
.healthy { color: var(--ok); } .lagging { color: var(--warn); } .broken, .unreachable { color: var(--bad); } .unknown { color: var(--muted); }
.error { max-width: 32rem; } .remedy { color: var(--muted); font-size: 0.9rem; }
a { color: inherit; } a:focus-visible, button:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
svg.lag { display: block; } svg.lag polyline { fill: none; stroke: currentColor; stroke-width: 1.5; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; } dt { color: var(--muted); }
ol.events { padding-left: 1.2rem; } ol.events li { margin: 0.3rem 0; }
#detail[hidden] { display: none; } .empty { color: var(--muted); font-style: italic; }
`;

const SCRIPT = `
"use strict";
const key = new URLSearchParams(location.search).get("code");
const withKey = (path) => key ? path + (path.includes("?") ? "&" : "?") + "code=" + encodeURIComponent(key) : path;
const api = async (path) => {
  const response = await fetch(withKey(path), { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(path + " answered " + response.status);
  return response.json();
};
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) if (value !== null && value !== undefined) node.setAttribute(name, value);
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}
const SVG = "http://www.w3.org/2000/svg";
function lagChart(samples, label) {
  const points = samples.filter((s) => s.lagSeconds !== null).map((s) => [Date.parse(s.at), s.lagSeconds]).sort((a, b) => a[0] - b[0]);
  if (points.length === 0) return el("span", { class: "empty" }, "no samples");
  const now = Date.now(); points.push([now, points[points.length - 1][1]]);
  const w = 160, h = 32, t0 = points[0][0], span = Math.max(1, now - t0), max = Math.max(1, ...points.map((p) => p[1]));
  const xy = []; let last = null;
  for (const [t, v] of points) {
    const x = ((t - t0) / span) * (w - 2) + 1, y = h - 1 - (v / max) * (h - 2);
    if (last !== null) xy.push(x.toFixed(1) + "," + last.toFixed(1));
    xy.push(x.toFixed(1) + "," + y.toFixed(1)); last = y;
  }
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "lag"); svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label + ": " + points[points.length - 1][1] + " s now, up to " + max + " s");
  const line = document.createElementNS(SVG, "polyline"); line.setAttribute("points", xy.join(" ")); svg.append(line);
  const title = document.createElementNS(SVG, "title"); title.textContent = svg.getAttribute("aria-label"); svg.append(title);
  return svg;
}
const when = (iso) => iso ? new Date(iso).toLocaleString() : "never";
const stateBadge = (state) => el("span", { class: "state " + (state || "unknown") }, state || "unknown");
async function renderList() {
  const data = await api("/api/dashboard/data");
  const probe = data.probe;
  document.getElementById("meta").textContent = probe
    ? "Last probe pass " + when(probe.probedAt) + ": " + probe.probed + " link(s) probed, " + probe.transitionCount + " change(s)."
    : "No probe pass has run yet.";
  const body = document.getElementById("links");
  body.replaceChildren();
  if (data.links.length === 0) body.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, "No links registered.")));
  for (const link of data.links) {
    const p = link.probe;
    const state = link.state !== "replicating" ? link.state : p ? p.state : "unknown";
    body.append(el("tr", { "data-link": link.id },
      el("td", {}, el("a", { href: "#" + link.id, "aria-label": "Open " + link.id + " (" + link.replica.serverName + ")" }, link.id),
        el("div", { class: "remedy" }, link.replica.serverName + " ← " + link.source.host + ":" + link.source.port)),
      el("td", {}, stateBadge(state), p && p.since ? el("div", { class: "remedy" }, "since " + when(p.since)) : null),
      el("td", {}, link.lastProbeAt ? when(link.lastProbeAt) : "never"),
      el("td", {}, p && p.lagSeconds !== null ? p.lagSeconds + " s" : "–", lagChart(link.samples, "lag of " + link.id)),
      el("td", { class: "error" }, p && p.error ? [el("div", {}, (p.thread ? p.thread.toUpperCase() + " thread, " : "") + (p.errno ? "error " + p.errno + ": " : "") + (p.diagnosis || p.error)), el("div", { class: "remedy" }, p.remedy || "")] : "–")));
  }
}
function list(items, render) {
  return items.length === 0 ? el("p", { class: "empty" }, "none") : el("ol", { class: "events" }, items.map((item) => el("li", {}, render(item))));
}
async function renderDetail(id) {
  const section = document.getElementById("detail");
  if (!id) { section.hidden = true; return; }
  const [probe, view] = await Promise.all([api("/api/dashboard/data/" + encodeURIComponent(id)), api("/api/replications/" + encodeURIComponent(id))]);
  const heading = el("h2", { tabindex: "-1", id: "detail-heading" }, "Link " + id);
  section.replaceChildren(heading,
    el("p", {}, el("a", { href: "#" }, "Back to all links")),
    el("dl", {}, el("dt", {}, "probe"), el("dd", {}, stateBadge(probe.probe ? probe.probe.state : "unknown"), probe.probe && probe.probe.since ? " since " + when(probe.probe.since) : ""),
      el("dt", {}, "registry"), el("dd", {}, stateBadge(view.state)),
      el("dt", {}, "replica"), el("dd", {}, view.replica ? view.replica.serverName + " (" + view.replica.kind + ", " + view.replica.resourceGroup + ")" : "–"),
      el("dt", {}, "source"), el("dd", {}, view.source ? view.source.replicationUser + "@" + view.source.host + ":" + view.source.port : "–"),
      el("dt", {}, "error"), el("dd", {}, view.error ? view.error.code + ": " + view.error.message + (view.error.remedy ? " Remedy: " + view.error.remedy : "") : "none")),
    el("h3", {}, "Lag"), lagChart(probe.samples, "lag of " + id),
    el("h3", {}, "State changes"), list(probe.transitions, (t) => [when(t.at) + ": ", stateBadge(t.state), " from " + (t.from || "none"), t.error ? el("div", { class: "remedy" }, (t.errno ? "error " + t.errno + ": " : "") + (t.diagnosis || t.error) + (t.remedy ? " Remedy: " + t.remedy : "")) : null]),
    el("h3", {}, "Checks"), list(view.checks, (c) => [el("strong", {}, c.status + " "), c.code + ": " + c.message, c.remedy ? el("div", { class: "remedy" }, c.remedy) : null]),
    el("h3", {}, "Steps"), list(view.steps, (s) => (s.name || s.step || "step") + ": " + (s.outcome || s.status || "") + (s.durationMs !== undefined ? " (" + s.durationMs + " ms)" : "")),
    el("h3", {}, "Changes"), list(view.changes, (c) => typeof c === "string" ? c : JSON.stringify(c)),
    el("h3", {}, "Recovery"), list(view.recentRecovery, (r) => when(r.checkedAt) + ": " + r.action + " " + r.outcome + " (" + r.detail + ")"));
  section.hidden = false;
  heading.focus();
}
async function route() {
  const id = decodeURIComponent(location.hash.slice(1));
  try {
    await renderList();
    await renderDetail(id);
    document.getElementById("status").textContent = "";
  } catch (error) {
    document.getElementById("status").textContent = "Could not load: " + error.message;
  }
}
window.addEventListener("hashchange", route);
document.getElementById("refresh").addEventListener("click", route);
setInterval(() => { if (!location.hash) void renderList().catch(() => undefined); }, 15000);
void route();
`;

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Only this page's own script and style run; data is fetched from this app only. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Replication links</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Replication links</h1>
<p class="meta" id="meta" aria-live="polite">Loading…</p>
<p><button type="button" id="refresh">Refresh</button> <span id="status" role="status"></span></p>
</header>
<main>
<section id="detail" hidden aria-live="polite"></section>
<table>
<caption class="meta">Every registered link; open one for its checks, steps, changes and recovery history.</caption>
<thead><tr><th scope="col">link</th><th scope="col">state</th><th scope="col">last probe</th><th scope="col">lag</th><th scope="col">last error and remedy</th></tr></thead>
<tbody id="links"></tbody>
</table>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
