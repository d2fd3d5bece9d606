/**
 * The Service Bus section: entities with rules, live counts and sessions; peek of messages and dead letters with
 * decoded bodies and reasons; resubmit, purge and a test message, through the protected endpoints.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { act, FlowLink, getJson, Head, html } from "./common.js";

const entityUrl = (path) => `/emulator/servicebus/entities/${path.split("/").map(encodeURIComponent).join("/")}`;

function correlationText(f) {
  const parts = Object.entries(f)
    .filter(([k]) => k !== "type" && k !== "properties")
    .map(([k, v]) => `${k} = '${v}'`);
  for (const [k, v] of Object.entries(f.properties ?? {})) parts.push(`${k} = '${v}'`);
  return parts.join(" AND ") || "correlation (matches all)";
}

function ruleText(rule) {
  const f = rule.filter;
  let text = f.type === "sql" ? f.expression : f.type === "correlation" ? correlationText(f) : f.type.toUpperCase();
  if (rule.action) text += `  ⟶ ${rule.action.expression}`;
  return `${rule.name}: ${text}`;
}

function Counts({ c }) {
  return html`
    <td class="n">${c.active ?? 0}</td>
    <td class="n">${c.scheduled ?? 0}</td>
    <td class="n">${c.deferred ?? 0}</td>
    <td class=${`n ${c.deadLetter ? "bad" : ""}`}>${c.deadLetter ?? 0}</td>
    <td class="n">${c.transferDeadLetter ?? 0}</td>`;
}

function sessionText(s) {
  const lock = s.lockedUntilUtc ? `, locked until ${s.lockedUntilUtc}` : "";
  const state = s.stateBytes ? `, state ${s.stateBytes} B` : "";
  return `${s.sessionId || "(none)"}: ${s.messages} msg${lock}${state}`;
}

function Sessions({ sessions }) {
  if (!sessions?.length) return null;
  const each = sessions.map((s) => html`<span class="session" title=${s.state ?? ""}>${sessionText(s)}</span>`);
  return html`<div class="sessions">Sessions: ${each}</div>`;
}

function EntityRow({ e, kind, open, onPurge }) {
  const rules = e.rules?.map((r) => html`<div class="rule">${ruleText(r)}</div>`);
  return html`
    <tr class=${kind} data-entity=${e.path}>
      <td class="name">${kind === "subscription" ? html`<span class="indent">↳ </span>` : ""}${e.name}
        ${e.requiresSession ? html`<span class="tag">sessions</span>` : ""}
        ${e.forwardTo ? html`<span class="tag">→ ${e.forwardTo}</span>` : ""}
        ${rules ? html`<div class="rules">${rules}</div>` : ""}
        <${Sessions} sessions=${e.sessions} />
      </td>
      <${Counts} c=${e.counts} />
      <td class="actions">
        <button onClick=${() => open(e.path, "messages")}>Peek</button>
        <button onClick=${() => open(e.path, "deadletters")}>Dead letters</button>
        <button onClick=${() => onPurge(e.path)}>Purge</button>
      </td>
    </tr>`;
}

function MessageCard({ m, deadLetters, onFlow, onResubmit }) {
  const body = typeof m.body === "string" ? m.body : JSON.stringify(m.body, null, 2);
  const props = Object.entries(m.applicationProperties ?? {}).filter(([k]) => !k.startsWith("DeadLetter"));
  const description = m.deadLetterErrorDescription ? `: ${m.deadLetterErrorDescription}` : "";
  const correlation = m.correlationId
    ? html`<${FlowLink} id=${m.correlationId} onFlow=${onFlow}>correlation ${String(m.correlationId)}<//>`
    : "";
  return html`
    <div class="message" data-seq=${m.sequenceNumber}>
      <div class="message-head">
        <b>#${m.sequenceNumber}</b> <span class="tag">${m.state}</span>
        ${m.subject ? html`<span>${m.subject}</span>` : ""}
        <span>id ${String(m.messageId ?? "")}</span>
        ${correlation}
        ${m.sessionId ? html`<span>session ${m.sessionId}</span>` : ""}
        <span>deliveries ${m.deliveryCount}</span>
        <span>enqueued ${m.enqueuedTimeUtc}</span>
        ${deadLetters ? html`<button onClick=${() => onResubmit(m.sequenceNumber)}>Resubmit</button>` : ""}
      </div>
      ${m.deadLetterReason
        ? html`<div class="reason">Dead-lettered: <b>${String(m.deadLetterReason)}</b> ${description}</div>`
        : ""}
      ${props.length
        ? html`<div class="props">${props.map(([k, v]) => html`<span><i>${k}</i> = ${JSON.stringify(v)}</span>`)}</div>`
        : ""}
      <pre class="body">${body}</pre>
    </div>`;
}

function MessageViewer({ viewer, credentials, onFlow, notify, refresh }) {
  const [messages, setMessages] = useState(undefined);
  const load = useCallback(async () => {
    const answer = await getJson(`${entityUrl(viewer.path)}/${viewer.which}?max=50`);
    setMessages(answer?.messages ?? []);
  }, [viewer.path, viewer.which, viewer.version]);
  useEffect(() => void load().catch((e) => notify(e.message, true)), [load]);
  const deadLetters = viewer.which === "deadletters";
  const run = async (path, body, done) => {
    try {
      notify(done(await act(credentials, "POST", `${entityUrl(viewer.path)}/${path}`, body)));
      await Promise.all([load(), refresh()]);
    } catch (e) {
      notify(e.message, true);
    }
  };
  const resubmit = (sequenceNumbers) =>
    run("resubmit", sequenceNumbers ? { sequenceNumbers } : {}, (r) => {
      return `Resubmitted ${r.resubmitted.length} message(s) to ${viewer.path}.`;
    });
  const purgeDeadLetters = () =>
    run("deadletters/purge", undefined, (r) => `Purged ${r.purged} dead letter(s) of ${viewer.path}.`);
  const empty = messages?.length === 0 ? html`<p class="empty">No messages.</p>` : "";
  const cards = (messages ?? []).map(
    (m) => html`<${MessageCard} key=${m.sequenceNumber} m=${m} deadLetters=${deadLetters} onFlow=${onFlow}
      onResubmit=${(seq) => resubmit([seq])} />`,
  );
  return html`
    <section class="viewer" id="viewer">
      <h3>${deadLetters ? "Dead letters of" : "Messages in"} ${viewer.path}
        <button onClick=${() => load()}>Refresh</button>
        ${deadLetters
          ? html`<button onClick=${() => resubmit(undefined)}>Resubmit all</button>
              <button onClick=${purgeDeadLetters}>Purge dead letters</button>`
          : ""}
      </h3>
      ${messages === undefined ? html`<p>Loading…</p>` : empty}
      ${cards}
    </section>`;
}

function SendForm({ sb, credentials, notify, refresh }) {
  const targets = [...(sb?.queues ?? []).map((q) => q.path), ...(sb?.topics ?? []).map((t) => t.path)];
  const [entity, setEntity] = useState("");
  const [body, setBody] = useState('{"hello": "world"}');
  const [correlationId, setCorrelationId] = useState("");
  const [sessionId, setSessionId] = useState("");
  const send = async (ev) => {
    ev.preventDefault();
    const to = entity || targets[0];
    try {
      const message = { entity: to, body, contentType: "application/json" };
      if (correlationId) message.correlationId = correlationId;
      if (sessionId) message.sessionId = sessionId;
      await act(credentials, "POST", "/dashboard/servicebus/messages", message);
      notify(`Sent a test message to ${to}.`);
      await refresh();
    } catch (e) {
      notify(e.message, true);
    }
  };
  const value = (set) => (e) => set(e.target.value);
  return html`
    <form class="send" onSubmit=${send}>
      <b>Send a test message</b>
      <select name="entity" value=${entity || targets[0]} onChange=${value(setEntity)}>
        ${targets.map((t) => html`<option value=${t}>${t}</option>`)}
      </select>
      <input name="correlationId" placeholder="correlation id" value=${correlationId}
        onInput=${value(setCorrelationId)} />
      <input name="sessionId" placeholder="session id" value=${sessionId} onInput=${value(setSessionId)} />
      <input name="body" class="wide" value=${body} onInput=${value(setBody)} />
      <button type="submit">Send</button>
    </form>`;
}

const COLUMNS = ["Entity", "Active", "Scheduled", "Deferred", "Dead-lettered", "Transfer DLQ", ""];

export function ServiceBus({ sb, credentials, onFlow, notify, refresh }) {
  const [viewer, setViewer] = useState(undefined);
  if (!sb) return html`<p>Loading…</p>`;
  const open = (path, which) => setViewer({ path, which, version: Date.now() });
  const onPurge = async (path) => {
    if (!confirm(`Delete every message of ${path}?`)) return;
    try {
      const r = await act(credentials, "POST", `${entityUrl(path)}/purge`);
      notify(`Purged ${r.purged} message(s) of ${path}.`);
      await refresh();
      if (viewer?.path === path) open(path, viewer.which);
    } catch (e) {
      notify(e.message, true);
    }
  };
  const row = (e, kind) => html`<${EntityRow} key=${e.path} e=${e} kind=${kind} open=${open} onPurge=${onPurge} />`;
  const topic = (t) => html`
    <tr class="topic" data-entity=${t.path}>
      <td class="name"><b>${t.name}</b> <span class="tag">topic</span></td>
      <td></td><td class="n">${t.counts.scheduled}</td><td></td><td></td><td></td><td></td>
    </tr>
    ${t.subscriptions.map((s) => row(s, "subscription"))}`;
  return html`
    <${SendForm} sb=${sb} credentials=${credentials} notify=${notify} refresh=${refresh} />
    <table class="entities">
      <${Head} names=${COLUMNS} />
      <tbody>${sb.queues.map((q) => row(q, "queue"))}${sb.topics.map(topic)}</tbody>
    </table>
    ${viewer
      ? html`<${MessageViewer} viewer=${viewer} credentials=${credentials} onFlow=${onFlow} notify=${notify}
          refresh=${refresh} />`
      : ""}`;
}
