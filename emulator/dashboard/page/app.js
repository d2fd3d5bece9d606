/**
 * The emulator dashboard: Service Bus, Event Grid, Kafka, the Functions host, the clock, and one message's flow
 * across them, kept live by the emulator's server-sent events. Written with preact + htm, served as ES modules
 * from node_modules: no build step, nothing fetched from the internet. Reads use the open JSON endpoints; actions
 * go through the protected ones with a SAS token signed in the page (sas.js). One module per section.
 */
import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { act, getJson, html } from "./common.js";
import { EventGrid } from "./event-grid.js";
import { Flow } from "./flow.js";
import { Functions } from "./functions.js";
import { Kafka } from "./kafka.js";
import { forgetCredentials, savedCredentials, saveConnectionString } from "./sas.js";
import { ServiceBus } from "./service-bus.js";

const SECTIONS = ["servicebus", "eventgrid", "kafka", "functions"];
const TABS = [
  ["servicebus", "Service Bus"],
  ["eventgrid", "Event Grid"],
  ["kafka", "Kafka"],
  ["flow", "Flow"],
  ["functions", "Functions host"],
];

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
  const offset = clock?.offsetMs ? html` <span class="muted">(+${clock.offsetMs} ms)</span>` : "";
  return html`
    <form class="clock" onSubmit=${advance}>
      <span>Clock <b class="clock-now">${now}</b>${offset}</span>
      <input name="seconds" size="6" value=${seconds} onInput=${(e) => setSeconds(e.target.value)} /> s
      <button type="submit">Advance</button>
    </form>`;
}

function Credentials({ credentials, setCredentials, notify }) {
  const [text, setText] = useState("");
  if (credentials) {
    const forget = () => {
      forgetCredentials();
      setCredentials(undefined);
    };
    return html`<span class="creds">Key: ${credentials.keyName} <button onClick=${forget}>Forget</button></span>`;
  }
  const save = (e) => {
    e.preventDefault();
    const saved = saveConnectionString(text);
    if (saved instanceof Error) notify(saved.message, true);
    else setCredentials(saved);
  };
  return html`<form class="creds" onSubmit=${save}>
    <input name="connection" type="password" placeholder="Service Bus connection string (for actions)"
      value=${text} onInput=${(e) => setText(e.target.value)} />
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
  const loadClock = useCallback(async () => {
    setClock({ ...(await getJson("/emulator/clock")), readAt: Date.now() });
  }, []);
  const loadFlows = useCallback(async () => {
    const key = flowKeyRef.current;
    const one = key ? getJson(`/dashboard/flows/${encodeURIComponent(key)}`) : undefined;
    const [shown, list] = await Promise.all([one, getJson("/dashboard/flows")]);
    if (key === flowKeyRef.current) setFlow(shown);
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
  const tabs = TABS.map(
    ([id, label]) => html`<button class=${tab === id ? "active" : ""} data-tab=${id} onClick=${() => setTab(id)}>
      ${label}</button>`,
  );
  const sections = {
    servicebus: () => html`<${ServiceBus} sb=${state.servicebus} credentials=${credentials} onFlow=${onFlow}
      notify=${notify} refresh=${refreshServiceBus} />`,
    eventgrid: () => html`<${EventGrid} eg=${state.eventgrid} />`,
    kafka: () => html`<${Kafka} kafka=${state.kafka} />`,
    flow: () => html`<${Flow} flowKey=${flowKey} flow=${flow} recent=${recent} onFlow=${onFlow} />`,
    functions: () => html`<${Functions} fn=${state.functions} onFlow=${onFlow} />`,
  };
  return html`
    <header>
      <h1>Emulator dashboard</h1>
      <span class=${`live ${live ? "on" : "off"}`}>${live ? "live" : "reconnecting…"}</span>
      <${Clock} clock=${clock} credentials=${credentials} notify=${notify} />
      <${Credentials} credentials=${credentials} setCredentials=${setCredentials} notify=${notify} />
    </header>
    <nav>${tabs}</nav>
    ${toast
      ? html`<div class=${`toast ${toast.bad ? "bad" : ""}`} role="status" key=${toast.at}>${toast.text}</div>`
      : ""}
    <main>${(sections[tab] ?? sections.servicebus)()}</main>`;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" placeholder: render() adds to what the element holds
render(html`<${App} />`, root);
