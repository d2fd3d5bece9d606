/** The Kafka section: event hubs with each partition's offsets; consumer groups, members and lag per partition. */
import { Head, html } from "./common.js";

function assignment(member) {
  return member.assigned.map((a) => `${a.topic} [${a.partitions.join(", ")}]`).join("; ") || "no partitions";
}

function Group({ g }) {
  const members = g.members.map(
    (m) => html`<div class="muted">member ${m.clientId} (${m.clientHost}): ${assignment(m)}</div>`,
  );
  const offsets = g.offsets.map(
    (o) => html`<tr>
      <td>${o.topic}</td><td class="n">${o.partition}</td><td class="n">${o.committed}</td>
      <td class="n">${o.highWatermark}</td><td class=${`n ${o.lag ? "bad" : ""}`}>${o.lag}</td>
    </tr>`,
  );
  return html`
    <section class="group" data-group=${g.groupId}>
      <h4>${g.groupId} <span class="tag">${g.state}</span></h4>
      <div>${members}</div>
      <table class="entities">
        <${Head} names=${["Event hub", "Partition", "Committed", "End", "Lag"]} />
        <tbody>${offsets}</tbody>
      </table>
    </section>`;
}

export function Kafka({ kafka }) {
  if (!kafka) return html`<p>Loading…</p>`;
  const partitions = kafka.eventHubs.flatMap((hub) =>
    hub.partitions.map(
      (p) => html`<tr>
        <td class="name">${p.partition === 0 ? hub.name : ""}</td><td class="n">${p.partition}</td>
        <td class="n">${p.logStartOffset}</td><td class="n">${p.highWatermark}</td>
      </tr>`,
    ),
  );
  const none = html`<p class="empty">No consumer group has joined or committed yet.</p>`;
  return html`
    <h3>Event hubs (${kafka.namespace})</h3>
    <table class="entities">
      <${Head} names=${["Event hub", "Partition", "First offset", "End offset"]} />
      <tbody>${partitions}</tbody>
    </table>
    <h3>Consumer groups</h3>
    ${kafka.groups.length === 0 ? none : kafka.groups.map((g) => html`<${Group} key=${g.groupId} g=${g} />`)}`;
}
