/**
 * What every section of the dashboard page shares: htm bound to preact, the JSON reads of the open endpoints, the
 * signed calls of the protected ones, and small pieces (a table head, a link to a flow, a time).
 */
import { h } from "preact";
import htm from "htm";
import { authorization } from "./sas.js";

export const html = htm.bind(h);

export async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

/** A mutating call: signed with the pasted key; the emulator's refusal (problem+json) becomes the thrown message. */
export async function act(credentials, method, path, body) {
  if (!credentials) {
    throw new Error("Paste the emulator's connection string first (top right): actions need its key.");
  }
  const headers = { authorization: await authorization(credentials) };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await fetch(path, init);
  const text = await res.text();
  const answer = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(answer.detail ?? answer.error?.message ?? `${method} ${path} answered ${res.status}`);
  return answer;
}

export const time = (ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

export function Head({ names }) {
  return html`<thead><tr>${names.map((name) => html`<th>${name}</th>`)}</tr></thead>`;
}

/** A link that opens the Flow section on `id`. */
export function FlowLink({ id, onFlow, children }) {
  const open = (event) => {
    event.preventDefault();
    onFlow(String(id));
  };
  return html`<a href="#" class="flow-link" onClick=${open}>${children ?? String(id)}</a>`;
}
