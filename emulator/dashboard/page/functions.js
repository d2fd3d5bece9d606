/** The Functions host section: its functions and triggers, and recent invocations each linked to its flow. */
import { FlowLink, Head, html, time } from "./common.js";

function Invocation({ i, onFlow }) {
  const failed = i.outcome === "failed";
  return html`
    <tr class=${failed ? "problem" : ""}>
      <td>${time(i.at)}</td><td>${i.functionName}</td><td>${i.trigger}</td><td class="n">${i.durationMs} ms</td>
      <td class=${failed ? "bad" : ""}>${i.outcome}${i.error ? `: ${i.error}` : ""}</td>
      <td><${FlowLink} id=${i.correlationId} onFlow=${onFlow} /></td>
    </tr>`;
}

export function Functions({ fn, onFlow }) {
  if (!fn) return html`<p>Loading…</p>`;
  if (!fn.host) return html`<p class="empty">No local Functions host runs with this emulator (npm start runs one).</p>`;
  const functions = fn.host.functions.map(
    (f) => html`<tr><td class="name">${f.name}</td><td>${f.trigger}</td><td>${f.disabled ? "disabled" : ""}</td></tr>`,
  );
  return html`
    <p>Host at <a href=${fn.host.url}>${fn.host.url}</a></p>
    <table class="entities"><${Head} names=${["Function", "Trigger", ""]} /><tbody>${functions}</tbody></table>
    <h3>Recent invocations</h3>
    <table class="entities">
      <${Head} names=${["At", "Function", "Trigger", "Duration", "Outcome", "Flow"]} />
      <tbody>${fn.invocations.map((i) => html`<${Invocation} i=${i} onFlow=${onFlow} />`)}</tbody>
    </table>`;
}
