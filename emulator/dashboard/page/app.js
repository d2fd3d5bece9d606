/**
 * The emulator dashboard: Service Bus, Event Grid, Kafka, the Functions host, the clock, and one message's flow
 * across them, kept live by the emulator's server-sent events. Written with preact + htm, served as ES modules
 * from node_modules: no build step, nothing fetched from the internet. Reads use the open JSON endpoints; actions
 * go through the protected ones with a SAS token signed in the page (sas.js).
 */
import { h, render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { authorization, forgetCredentials, savedCredentials, saveConnectionString } from "./sas.js";

const html = htm.bind(h);
const SECTIONS = ["servicebus", "eventgrid", "kafka", "functions"];
const TABS = [
  ["servicebus", "Service Bus"],
  ["eventgrid", "Event Grid"],
  ["kafka", "Kafka"],
  ["flow", "Flow"],
  ["functions", "Functions host"],
];

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

/** A mutating call: signed with the pasted key; the emulator's refusal (problem+json) becomes the thrown message. */
async function act(credentials, method, path, body) {
  if (!credentials) throw new Error("Paste the emulator's connection string first (top right): actions need its key.");
  const headers = { authorization: await authorization(credentials) };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const answer = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(answer.detail ?? answer.error?.message ?? `${method} ${path} answered ${res.status}`);
  return answer;
}

const time = (ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
const entityUrl = (path) => `/emulator/servicebus/entities/${path.split("/").map(encodeURIComponent).join("/")}`;

function ruleText(rule) {
  const f = rule.filter;
  let text = f.type === "sql" ? f.expression : f.type === "correlation" ? correlationText(f) : f.type.toUpperCase();
  if (rule.action) text += `  ⟶ ${rule.action.expression}`;
  return `${rule.name}: ${text}`;
}

function correlationText(f) {
  const parts = Object.entries(f).filter(([k]) => k !== "type" && k !== "properties").map(([k, v]) => `${k} = '${v}'`);
  for (const [k, v] of Object.entries(f.properties ?? {})) parts.push(`${k} = '${v}'`);
  return parts.join(" AND ") || "correlation (matches all)";
}

function Counts({ c }) {
  return html`
    <td class="n">${c.active ?? 0}</td>
    <td class="n">${c.scheduled ?? 0}</td>
    <td class="n">${c.deferred ?? 0}</td>
    <td class=${`n ${c.deadLetter ? "bad" : ""}`}>${c.deadLetter ?? 0}</td>
    <td class="n">${c.transferDeadLetter ?? 0}</td>`;
}

function Sessions({ sessions }) {
  if (!sessions?.length) return null;
  return html`<div class="sessions">Sessions: ${sessions.map(
    (s) => html`<span class="session" title=${s.state ?? ""}>${s.sessionId || "(none)"}: ${s.messages} msg${s.lockedUntilUtc ? `, locked until ${s.lockedUntilUtc}` : ""}${s.stateBytes ? `, state ${s.stateBytes} B` : ""}</span>`,
  )}</div>`;
}

function EntityRow({ e, kind, open, onAction }) {
  return html`
    <tr class=${kind} data-entity=${e.path}>
      <td class="name">${kind === "subscription" ? html`<span class="indent">↳ </span>` : ""}${e.name}
        ${e.requiresSession ? html`<span class="tag">sessions</span>` : ""}
        ${e.forwardTo ? html`<span class="tag">→ ${e.forwardTo}</span>` : ""}
        ${e.rules ? html`<div class="rules">${e.rules.map((r) => html`<div class="rule">${ruleText(r)}</div>`)}</div>` : ""}
        <${Sessions} sessions=${e.sessions} />
      </td>
      <${Counts} c=${e.counts} />
      <td class="actions">
        <button onClick=${() => open(e.path, "messages")}>Peek</button>
        <button onClick=${() => open(e.path, "deadletters")}>Dead letters</button>
        <button onClick=${() => onAction("purge", e.path)}>Purge</button>
      </td>
    </tr>`;
}

function MessageCard({ m, deadLetters, onFlow, onResubmit }) {
  const body = typeof m.body === "string" ? m.body : JSON.stringify(m.body, null, 2);
  const props = Object.entries(m.applicationProperties ?? {}).filter(([k]) => !k.startsWith("DeadLetter"));
  return html`
    <div class="message" data-seq=${m.sequenceNumber}>
      <div class="message-head">
        <b>#${m.sequenceNumber}</b> <span class="tag">${m.state}</span>
        ${m.subject ? html`<span>${m.subject}</span>` : ""}
        <span>id ${String(m.messageId ?? "")}</span>
        ${m.correlationId ? html`<a href="#" class="flow-link" onClick=${(ev) => { ev.preventDefault(); onFlow(String(m.correlationId)); }}>correlation ${String(m.correlationId)}</a>` : ""}
        ${m.sessionId ? html`<span>session ${m.sessionId}</span>` : ""}
        <span>deliveries ${m.deliveryCount}</span>
        <span>enqueued ${m.enqueuedTimeUtc}</span>
        ${deadLetters ? html`<button onClick=${() => onResubmit(m.sequenceNumber)}>Resubmit</button>` : ""}
      </div>
      ${m.deadLetterReason ? html`<div class="reason">Dead-lettered: <b>${String(m.deadLetterReason)}</b> ${m.deadLetterErrorDescription ? `: ${m.deadLetterErrorDescription}` : ""}</div>` : ""}
      ${props.length ? html`<div class="props">${props.map(([k, v]) => html`<span><i>${k}</i> = ${JSON.stringify(v)}</span>`)}</div>` : ""}
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
  const resubmit = async (sequenceNumbers) => {
    try {
      const r = await act(credentials, "POST", `${entityUrl(viewer.path)}/resubmit`, sequenceNumbers ? { sequenceNumbers } : {});
      notify(`Resubmitted ${r.resubmitted.length} message(s) to ${viewer.path}.`);
      await Promise.all([load(), refresh()]);
    } catch (e) {
      notify(e.message, true);
    }
  };
  const purgeDeadLetters = async () => {
    try {
      const r = await act(credentials, "POST", `${entityUrl(viewer.path)}/deadletters/purge`);
      notify(`Purged ${r.purged} dead letter(s) of ${viewer.path}.`);
      await Promise.all([load(), refresh()]);
    } catch (e) {
      notify(e.message, true);
    }
  };
  return html`
    <section class="viewer" id="viewer">
      <h3>${deadLetters ? "Dead letters of" : "Messages in"} ${viewer.path}
        <button onClick=${() => load()}>Refresh</button>
        ${deadLetters ? html`<button onClick=${() => resubmit(undefined)}>Resubmit all</button><button onClick=${purgeDeadLetters}>Purge dead letters</button>` : ""}
      </h3>
      ${messages === undefined ? html`<p>Loading…</p>` : messages.length === 0 ? html`<p class="empty">No messages.</p>` : ""}
      ${(messages ?? []).map((m) => html`<${MessageCard} key=${m.sequenceNumber} m=${m} deadLetters=${deadLetters} onFlow=${onFlow} onResubmit=${(seq) => resubmit([seq])} />`)}
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
  return html`
    <form class="send" onSubmit=${send}>
      <b>Send a test message</b>
      <select name="entity" value=${entity || targets[0]} onChange=${(e) => setEntity(e.target.value)}>${targets.map((t) => html`<option value=${t}>${t}</option>`)}</select>
      <input name="correlationId" placeholder="correlation id" value=${correlationId} onInput=${(e) => setCorrelationId(e.target.value)} />
      <input name="sessionId" placeholder="session id" value=${sessionId} onInput=${(e) => setSessionId(e.target.value)} />
      <input name="body" class="wide" value=${body} onInput=${(e) => setBody(e.target.value)} />
      <button type="submit">Send</button>
    </form>`;
}

function ServiceBus({ sb, credentials, onFlow, notify, refresh }) {
  const [viewer, setViewer] = useState(undefined);
  if (!sb) return html`<p>Loading…</p>`;
  const open = (path, which) => setViewer({ path, which, version: Date.now() });
  const onAction = async (action, path) => {
    if (action !== "purge") return;
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
  return html`
    <${SendForm} sb=${sb} credentials=${credentials} notify=${notify} refresh=${refresh} />
    <table class="entities">
      <thead><tr><th>Entity</th><th>Active</th><th>Scheduled</th><th>Deferred</th><th>Dead-lettered</th><th>Transfer DLQ</th><th></th></tr></thead>
      <tbody>
        ${sb.queues.map((q) => html`<${EntityRow} key=${q.path} e=${q} kind="queue" open=${open} onAction=${onAction} />`)}
        ${sb.topics.map((t) => html`
          <tr class="topic" data-entity=${t.path}><td class="name"><b>${t.name}</b> <span class="tag">topic</span></td>
            <td></td><td class="n">${t.counts.scheduled}</td><td></td><td></td><td></td><td></td></tr>
          ${t.subscriptions.map((s) => html`<${EntityRow} key=${s.path} e=${s} kind="subscription" open=${open} onAction=${onAction} />`)}`)}
      </tbody>
    </table>
    ${viewer ? html`<${MessageViewer} viewer=${viewer} credentials=${credentials} onFlow=${onFlow} notify=${notify} refresh=${refresh} />` : ""}`;
}

function EventGrid({ eg }) {
  if (!eg) return html`<p>Loading…</p>`;
  return html`${eg.topics.map((t) => html`
    <section class="eg-topic">
      <h3>${t.name} <span class="muted">published ${t.published}, unmatched ${t.unmatched}</span></h3>
      <table class="entities">
        <thead><tr><th>Subscription</th><th>Filter</th><th>State</th><th>Matched</th><th>Delivered</th><th>Retrying</th><th>Dead-lettered</th><th>Dropped</th></tr></thead>
        <tbody>${t.subscriptions.map(({ filter, state: s }) => html`
          <tr data-subscription=${s.name}>
            <td class="name">${s.name}<div class="muted">${s.endpointType} → ${s.destination}</div></td>
            <td><code>${JSON.stringify(filter)}</code></td>
            <td>${s.provisioningState}${s.validationError ? html`<div class="bad">${s.validationError}</div>` : ""}</td>
            <td class="n">${s.counts.matched}</td><td class="n">${s.counts.delivered}</td>
            <td class="n">${s.counts.retrying}${s.retrying.map((r) => html`<div class="muted">${r.eventIds.join(", ")}: attempt ${r.deliveryAttempts}, next ${r.nextAttemptTime ?? "now"} (${r.lastDeliveryOutcome ?? ""} ${r.lastHttpStatusCode ?? ""})</div>`)}</td>
            <td class=${`n ${s.counts.deadLettered ? "bad" : ""}`}>${s.counts.deadLettered}${s.deadLettered.map((d) => html`<div class="muted">${d.eventId}: ${d.reason}, ${d.lastDeliveryOutcome} → ${d.location}/${d.blobName}</div>`)}</td>
            <td class="n">${s.counts.dropped}</td>
          </tr>`)}</tbody>
      </table>
    </section>`)}`;
}

function Kafka({ kafka }) {
  if (!kafka) return html`<p>Loading…</p>`;
  return html`
    <h3>Event hubs (${kafka.namespace})</h3>
    <table class="entities">
      <thead><tr><th>Event hub</th><th>Partition</th><th>First offset</th><th>End offset</th></tr></thead>
      <tbody>${kafka.eventHubs.flatMap((hub) => hub.partitions.map((p) => html`
        <tr><td class="name">${p.partition === 0 ? hub.name : ""}</td><td class="n">${p.partition}</td><td class="n">${p.logStartOffset}</td><td class="n">${p.highWatermark}</td></tr>`))}</tbody>
    </table>
    <h3>Consumer groups</h3>
    ${kafka.groups.length === 0 ? html`<p class="empty">No consumer group has joined or committed yet.</p>` : ""}
    ${kafka.groups.map((g) => html`
      <section class="group" data-group=${g.groupId}>
        <h4>${g.groupId} <span class="tag">${g.state}</span></h4>
        <div>${g.members.map((m) => html`<div class="muted">member ${m.clientId} (${m.clientHost}): ${m.assigned.map((a) => `${a.topic} [${a.partitions.join(", ")}]`).join("; ") || "no partitions"}</div>`)}</div>
        <table class="entities"><thead><tr><th>Event hub</th><th>Partition</th><th>Committed</th><th>End</th><th>Lag</th></tr></thead>
          <tbody>${g.offsets.map((o) => html`<tr><td>${o.topic}</td><td class="n">${o.partition}</td><td class="n">${o.committed}</td><td class="n">${o.highWatermark}</td><td class=${`n ${o.lag ? "bad" : ""}`}>${o.lag}</td></tr>`)}</tbody>
        </table>
      </section>`)}`;
}

const SERVICE_NAMES = { servicebus: "Service Bus", eventgrid: "Event Grid", kafka: "Kafka", functions: "Functions" };

function Flow({ flowKey, flow, recent, onFlow }) {
  const [typed, setTyped] = useState(flowKey ?? "");
  useEffect(() => setTyped(flowKey ?? ""), [flowKey]);
  const first = flow?.hops[0]?.at;
  return html`
    <form class="flow-form" onSubmit=${(e) => { e.preventDefault(); onFlow(typed.trim()); }}>
      <input name="flow" class="wide" placeholder="correlation id or trace id" value=${typed} onInput=${(e) => setTyped(e.target.value)} />
      <button type="submit">Show flow</button>
    </form>
    ${flowKey && !flow ? html`<p class="empty">No hop seen yet carries "${flowKey}"; this fills in as soon as one does.</p>` : ""}
    ${flow ? html`
      <h3>Flow ${flow.key} <span class="muted">${flow.hops.length} hops${flow.dropped ? ` (${flow.dropped} older dropped)` : ""}</span></h3>
      <ol class="timeline">${flow.hops.map((hop) => html`
        <li class=${`hop ${hop.service} ${hop.problem ? "problem" : ""}`} data-kind=${hop.kind}>
          <span class="at">${time(hop.at)} <span class="muted">+${hop.at - first} ms</span></span>
          <span class=${`service ${hop.service}`}>${SERVICE_NAMES[hop.service]}</span>
          <b class="kind">${hop.kind}</b> <span class="where">${hop.where}</span>
          <div class="detail">${hop.detail}</div>
        </li>`)}</ol>` : ""}
    <h3>Recent flows</h3>
    <table class="entities"><thead><tr><th>Id</th><th>Hops</th><th>Last hop</th><th>At</th></tr></thead>
      <tbody>${(recent ?? []).map((f) => html`<tr><td><a href="#" class="flow-link" onClick=${(e) => { e.preventDefault(); onFlow(f.key); }}>${f.key}</a></td><td class="n">${f.hops}</td><td>${f.last}</td><td>${time(f.lastAt)}</td></tr>`)}</tbody>
    </table>`;
}

function Functions({ fn, onFlow }) {
  if (!fn) return html`<p>Loading…</p>`;
  if (!fn.host) return html`<p class="empty">No local Functions host runs with this emulator (npm start runs one).</p>`;
  return html`
    <p>Host at <a href=${fn.host.url}>${fn.host.url}</a></p>
    <table class="entities"><thead><tr><th>Function</th><th>Trigger</th><th></th></tr></thead>
      <tbody>${fn.host.functions.map((f) => html`<tr><td class="name">${f.name}</td><td>${f.trigger}</td><td>${f.disabled ? "disabled" : ""}</td></tr>`)}</tbody></table>
    <h3>Recent invocations</h3>
    <table class="entities"><thead><tr><th>At</th><th>Function</th><th>Trigger</th><th>Duration</th><th>Outcome</th><th>Flow</th></tr></thead>
      <tbody>${fn.invocations.map((i) => html`<tr class=${i.outcome === "failed" ? "problem" : ""}>
        <td>${time(i.at)}</td><td>${i.functionName}</td><td>${i.trigger}</td><td class="n">${i.durationMs} ms</td>
        <td class=${i.outcome === "failed" ? "bad" : ""}>${i.outcome}${i.error ? `: ${i.error}` : ""}</td>
        <td><a href="#" class="flow-link" onClick=${(e) => { e.preventDefault(); onFlow(i.correlationId); }}>${i.correlationId}</a></td></tr>`)}</tbody></table>`;
}

function Clock({ clock, credentials, notify }) {
  const [seconds, setSeconds] = useState("60");
  // The emulator's time runs on between pushes (which come only when it jumps): shown ticking from the last read.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const now = clock ? new Date(Date.parse(clock.now) + (Date.now() - clock.readAt)).toISOString() : "…";
  const advance = async (e) => {
    e.preventDefault();
    try {
      await act(credentials, "POST", "/emulator/clock/advance", { ms: Math.round(Number(seconds) * 1000) });
      notify(`Clock moved ${seconds} s ahead.`);
    } catch (err) {
      notify(err.message, true);
    }
  };
  return html`
    <form class="clock" onSubmit=${advance}>
      <span>Clock <b class="clock-now">${now}</b>${clock?.offsetMs ? html` <span class="muted">(+${clock.offsetMs} ms)</span>` : ""}</span>
      <input name="seconds" size="6" value=${seconds} onInput=${(e) => setSeconds(e.target.value)} /> s
      <button type="submit">Advance</button>
    </form>`;
}

function Credentials({ credentials, setCredentials, notify }) {
  const [text, setText] = useState("");
  if (credentials) {
    return html`<span class="creds">Key: ${credentials.keyName} <button onClick=${() => { forgetCredentials(); setCredentials(undefined); }}>Forget</button></span>`;
  }
  const save = (e) => {
    e.preventDefault();
    const saved = saveConnectionString(text);
    if (saved instanceof Error) notify(saved.message, true);
    else setCredentials(saved);
  };
  return html`<form class="creds" onSubmit=${save}>
    <input name="connection" type="password" placeholder="Service Bus connection string (for actions)" value=${text} onInput=${(e) => setText(e.target.value)} />
    <button type="submit">Use</button></form>`;
}

function App() {
  const [tab, setTab] = useState(location.hash.slice(1).split("/")[0] || "servicebus");
  const [state, setState] = useState({});
  const [clock, setClock] = useState(undefined);
  const [flowKey, setFlowKey] = useState(decodeURIComponent(location.hash.split("/")[1] ?? "") || undefined);
  const [flow, setFlow] = useState(undefined);
  const [recent, setRecent] = useState(undefined);
  const [credentials, setCredentials] = useState(savedCredentials());
  const [toast, setToast] = useState(undefined);
  const [live, setLive] = useState(false);
  const flowKeyRef = useRef(flowKey);
  flowKeyRef.current = flowKey;
  const tabRef = useRef(tab);
  tabRef.current = tab;

  const notify = useCallback((text, bad = false) => setToast({ text, bad, at: Date.now() }), []);
  const loadSection = useCallback(async (name) => {
    const value = await getJson(`/dashboard/state/${name}`);
    setState((s) => ({ ...s, [name]: value }));
  }, []);
  const loadClock = useCallback(async () => setClock({ ...(await getJson("/emulator/clock")), readAt: Date.now() }), []);
  const loadFlows = useCallback(async () => {
    const key = flowKeyRef.current;
    const [one, list] = await Promise.all([key ? getJson(`/dashboard/flows/${encodeURIComponent(key)}`) : undefined, getJson("/dashboard/flows")]);
    if (key === flowKeyRef.current) setFlow(one);
    setRecent(list?.flows ?? []);
  }, []);
  const loadAll = useCallback(() => Promise.all([...SECTIONS.map(loadSection), loadClock(), loadFlows()]), []);

  useEffect(() => {
    const events = new EventSource("/dashboard/events");
    events.addEventListener("hello", () => {
      setLive(true);
      void loadAll().catch((e) => notify(e.message, true));
    });
    events.addEventListener("changed", (ev) => {
      // Only what is on screen is fetched again: a busy emulator then costs one small read per push.
      const change = JSON.parse(ev.data);
      const shown = tabRef.current;
      const work = change.sections.filter((s) => s === shown).map(loadSection);
      if (change.sections.includes("clock")) work.push(loadClock());
      const key = flowKeyRef.current;
      if (shown === "flow" && (change.manyFlows || change.flows.length > 0)) work.push(loadFlows());
      else if (key && change.flows.includes(key)) work.push(loadFlows());
      void Promise.all(work).catch((e) => notify(e.message, true));
    });
    events.onerror = () => setLive(false);
    return () => events.close();
  }, []);

  useEffect(() => {
    location.hash = flowKey && tab === "flow" ? `flow/${encodeURIComponent(flowKey)}` : tab;
  }, [tab, flowKey]);
  useEffect(() => void loadFlows().catch(() => undefined), [flowKey]);
  // A tab brought into view is read again: while hidden it was not kept up to date.
  useEffect(() => {
    if (SECTIONS.includes(tab)) void loadSection(tab).catch(() => undefined);
    if (tab === "flow") void loadFlows().catch(() => undefined);
  }, [tab]);

  const onFlow = (key) => {
    setFlow(undefined);
    setFlowKey(key || undefined);
    setTab("flow");
  };
  const refreshServiceBus = () => loadSection("servicebus");

  return html`
    <header>
      <h1>Emulator dashboard</h1>
      <span class=${`live ${live ? "on" : "off"}`}>${live ? "live" : "reconnecting…"}</span>
      <${Clock} clock=${clock} credentials=${credentials} notify=${notify} />
      <${Credentials} credentials=${credentials} setCredentials=${setCredentials} notify=${notify} />
    </header>
    <nav>${TABS.map(([id, label]) => html`<button class=${tab === id ? "active" : ""} data-tab=${id} onClick=${() => setTab(id)}>${label}</button>`)}</nav>
    ${toast ? html`<div class=${`toast ${toast.bad ? "bad" : ""}`} role="status" key=${toast.at}>${toast.text}</div>` : ""}
    <main>
      ${tab === "servicebus" ? html`<${ServiceBus} sb=${state.servicebus} credentials=${credentials} onFlow=${onFlow} notify=${notify} refresh=${refreshServiceBus} />` : ""}
      ${tab === "eventgrid" ? html`<${EventGrid} eg=${state.eventgrid} />` : ""}
      ${tab === "kafka" ? html`<${Kafka} kafka=${state.kafka} />` : ""}
      ${tab === "flow" ? html`<${Flow} flowKey=${flowKey} flow=${flow} recent=${recent} onFlow=${onFlow} />` : ""}
      ${tab === "functions" ? html`<${Functions} fn=${state.functions} onFlow=${onFlow} />` : ""}
    </main>`;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" placeholder: render() adds to what the element holds
render(html`<${App} />`, root);
