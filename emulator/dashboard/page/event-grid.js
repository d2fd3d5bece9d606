/** The Event Grid section: topics, subscriptions with filters, and each delivery's state (retries, dead letters). */
import { Head, html } from "./common.js";

const COLUMNS = ["Subscription", "Filter", "State", "Matched", "Delivered", "Retrying", "Dead-lettered", "Dropped"];

function retryText(r) {
  const last = `${r.lastDeliveryOutcome ?? ""} ${r.lastHttpStatusCode ?? ""}`.trim();
  return `${r.eventIds.join(", ")}: attempt ${r.deliveryAttempts}, next ${r.nextAttemptTime ?? "now"} (${last})`;
}

function Subscription({ filter, state: s }) {
  const retrying = s.retrying.map((r) => html`<div class="muted">${retryText(r)}</div>`);
  const dead = s.deadLettered.map(
    (d) => html`<div class="muted">
      ${d.eventId}: ${d.reason}, ${d.lastDeliveryOutcome} → ${d.location}/${d.blobName}
    </div>`,
  );
  return html`
    <tr data-subscription=${s.name}>
      <td class="name">${s.name}<div class="muted">${s.endpointType} → ${s.destination}</div></td>
      <td><code>${JSON.stringify(filter)}</code></td>
      <td>${s.provisioningState}${s.validationError ? html`<div class="bad">${s.validationError}</div>` : ""}</td>
      <td class="n">${s.counts.matched}</td>
      <td class="n">${s.counts.delivered}</td>
      <td class="n">${s.counts.retrying}${retrying}</td>
      <td class=${`n ${s.counts.deadLettered ? "bad" : ""}`}>${s.counts.deadLettered}${dead}</td>
      <td class="n">${s.counts.dropped}</td>
    </tr>`;
}

export function EventGrid({ eg }) {
  if (!eg) return html`<p>Loading…</p>`;
  return eg.topics.map(
    (t) => html`
      <section class="eg-topic">
        <h3>${t.name} <span class="muted">published ${t.published}, unmatched ${t.unmatched}</span></h3>
        <table class="entities">
          <${Head} names=${COLUMNS} />
          <tbody>${t.subscriptions.map((s) => html`<${Subscription} ...${s} />`)}</tbody>
        </table>
      </section>`,
  );
}
