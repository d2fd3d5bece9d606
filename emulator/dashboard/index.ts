/**
 * startDashboard(): the web page at `/` on the emulator's HTTP port, its JSON state and live stream, and the flow
 * recorder behind its Flow section. It watches each service through the observer slot the service exposes (Service
 * Bus `namespace.messageObservers`, Event Grid `deliveryObservers`, Kafka `observers`), never through internals,
 * and is told of a local Functions host with `attachFunctionsHost()` (npm start runs one in the same process).
 */
import type { EmulatorClock } from "../common/clock.js";
import type { EmulatorHttpServer } from "../common/http-server.js";
import type { ServiceBusEnqueuer } from "../common/service-bus-enqueuer.js";
import type { EventGridService } from "../eventgrid/index.js";
import type { KafkaService } from "../kafka/index.js";
import type { Namespace } from "../servicebus/model/namespace.js";
import { registerDashboardRoutes } from "./dashboard-routes.js";
import { eventGridFlows, type InvocationFacts, invocationFlows } from "./flow-observers.js";
import { kafkaFlows, serviceBusFlows } from "./flow-observers.js";
import { FlowRecorder } from "./flow-recorder.js";
import { LiveStream } from "./live-stream.js";
import { serviceBusView } from "./servicebus-view.js";

export { FlowRecorder, MAX_FLOWS, MAX_HOPS_PER_FLOW } from "./flow-recorder.js";
export type { InvocationFacts } from "./flow-observers.js";

/** A local Functions host as the dashboard sees it; the emulator's FunctionsHost fits as it is. */
export interface DashboardFunctionsHost {
  readonly url: string;
  readonly functions: readonly { name: string; trigger: string; disabled: boolean }[];
  onInvocation(listener: (record: InvocationFacts) => void): () => void;
}

export interface DashboardOptions {
  http: EmulatorHttpServer;
  clock: EmulatorClock;
  namespace: Namespace;
  serviceBus: ServiceBusEnqueuer;
  eventGrid: EventGridService;
  kafka: KafkaService;
}

export interface Dashboard {
  readonly recorder: FlowRecorder;
  /** Shows a host's functions and recent invocations, and files each invocation in its flow; returns a detach. */
  attachFunctionsHost(host: DashboardFunctionsHost): () => void;
  /** How many pages are connected to the live stream. */
  readonly liveClients: number;
  close(): void;
}

/** Recent invocations kept for the Functions section. */
const RECENT_INVOCATIONS = 100;

export function startDashboard(options: DashboardOptions): Dashboard {
  const { clock } = options;
  const recorder = new FlowRecorder(() => clock.now());
  const live = new LiveStream();
  recorder.onHop = (keys, service) => live.touchFlows(keys, service);

  options.namespace.messageObservers.current = serviceBusFlows(recorder);
  options.eventGrid.deliveryObservers.current = eventGridFlows(recorder, () => clock.now());
  options.kafka.observers.current = kafkaFlows(recorder);
  const stopClock = clock.onMove(() => live.touch("clock"));

  let host: DashboardFunctionsHost | undefined;
  const invocations: (InvocationFacts & { at: number })[] = [];
  const fileInvocation = invocationFlows(recorder, () => clock.now());

  registerDashboardRoutes(options.http, {
    recorder,
    live,
    serviceBus: options.serviceBus,
    sections: {
      servicebus: () => serviceBusView(options.namespace),
      eventgrid: () => ({ topics: options.eventGrid.describe() }),
      kafka: () => options.kafka.describe(),
      functions: () => ({
        host: host ? { url: host.url, functions: host.functions } : null,
        invocations: [...invocations].reverse(),
      }),
    },
  });

  return {
    recorder,
    get liveClients() {
      return live.clientCount;
    },
    attachFunctionsHost(attached) {
      host = attached;
      live.touch("functions");
      const stop = attached.onInvocation((record) => {
        invocations.push({ ...record, at: clock.now() });
        if (invocations.length > RECENT_INVOCATIONS) invocations.shift();
        fileInvocation(record);
        live.touch("functions");
      });
      return () => {
        stop();
        if (host === attached) host = undefined;
        live.touch("functions");
      };
    },
    close() {
      stopClock();
      live.close();
      if (options.namespace.messageObservers.current) options.namespace.messageObservers.current = undefined;
      options.eventGrid.deliveryObservers.current = undefined;
      options.kafka.observers.current = undefined;
    },
  };
}
