/** The Flow section: one correlation id's or trace id's hops as a timeline, and the most recent flows. */
import { useEffect, useState } from "preact/hooks";
import { FlowLink, Head, html, time } from "./common.js";

const SERVICE_NAMES = { servicebus: "Service Bus", eventgrid: "Event Grid", kafka: "Kafka", functions: "Functions" };

function Hop({ hop, first }) {
  return html`
    <li class=${`hop ${hop.service} ${hop.problem ? "problem" : ""}`} data-kind=${hop.kind}>
      <span class="at">${time(hop.at)} <span class="muted">+${hop.at - first} ms</span></span>
      <span class=${`service ${hop.service}`}>${SERVICE_NAMES[hop.service]}</span>
      <b class="kind">${hop.kind}</b> <span class="where">${hop.where}</span>
      <div class="detail">${hop.detail}</div>
    </li>`;
}

function Timeline({ flow }) {
  const first = flow.hops[0]?.at;
  const dropped = flow.dropped ? ` (${flow.dropped} older dropped)` : "";
  return html`
    <h3>Flow ${flow.key} <span class="muted">${flow.hops.length} hops${dropped}</span></h3>
    <ol class="timeline">${flow.hops.map((hop) => html`<${Hop} key=${hop.seq} hop=${hop} first=${first} />`)}</ol>`;
}

export function Flow({ flowKey, flow, recent, onFlow }) {
  const [typed, setTyped] = useState(flowKey ?? "");
  useEffect(() => setTyped(flowKey ?? ""), [flowKey]);
  const submit = (e) => {
    e.preventDefault();
    onFlow(typed.trim());
  };
  const waiting = html`<p class="empty">No hop seen yet carries "${flowKey}"; this fills in as soon as one does.</p>`;
  const rows = (recent ?? []).map(
    (f) => html`<tr>
      <td><${FlowLink} id=${f.key} onFlow=${onFlow} /></td>
      <td class="n">${f.hops}</td><td>${f.last}</td><td>${time(f.lastAt)}</td>
    </tr>`,
  );
  return html`
    <form class="flow-form" onSubmit=${submit}>
      <input name="flow" class="wide" placeholder="correlation id or trace id" value=${typed}
        onInput=${(e) => setTyped(e.target.value)} />
      <button type="submit">Show flow</button>
    </form>
    ${flowKey && !flow ? waiting : ""}
    ${flow ? html`<${Timeline} flow=${flow} />` : ""}
    <h3>Recent flows</h3>
    <table class="entities"><${Head} names=${["Id", "Hops", "Last hop", "At"]} /><tbody>${rows}</tbody></table>`;
}
