/**
 * The composition root: everything the functions use, built once per worker from the settings (connections from
 * src/config.ts, the plain settings with their defaults), and closed when the app stops. The functions stay thin:
 * they parse their trigger's input, call a handler with these parts, and reply or log.
 *
 *   event store (Table `events`) <- StreamRepository/MessageConsumer in every handler
 *   relay: Service Bus topics `events`/`commands` + Kafka `festival-events` (when EventHubsConnection is set)
 *          + Event Grid (notify events); the sweeper delivers what the relay missed
 *   payment gateway (ledger Table `payments`), ticketing provider client (behind its circuit breaker; a command
 *   meeting the open circuit is sent again for later), e-mail outbox (Table `mails`),
 *   fan notifications (Table `notifications`)
 *   read models (Tables purchasestatus, fanpurchases, concertavailability, concertsales): kept by the projector,
 *   read by the GET endpoints through the query bus
 */
import type { ServiceBusClient } from "@azure/service-bus";
import type { HandlerDeps } from "../commands/handler-deps.js";
import { type AppSettings, type Env, loadAppSettings, loadSettings, topology } from "../config.js";
import type { OutboxRecord } from "../eventstore/event-store.js";
import { TableEventStore } from "../eventstore/table-event-store.js";
import type { ApiDeps } from "../http/api-deps.js";
import { TicketsSpokenFor } from "../commands/tickets-spoken-for.js";
import { EventGridPublisher } from "../messaging/event-grid-publisher.js";
import { createKafka, KafkaEventStream } from "../messaging/kafka-event-stream.js";
import { createServiceBusClient, ServiceBusMessageBus } from "../messaging/service-bus-message-bus.js";
import { type Destination, OutboxRelay } from "../outbox/outbox-relay.js";
import { OutboxSweeper } from "../outbox/outbox-sweeper.js";
import type { PurchaseProcessDeps } from "../sagas/purchase-process-handler.js";
import { TableFanReplica } from "../fans/replica/fan-replica.js";
import { EmailService } from "../services/email/email-service.js";
import { FansApiClient, fansApiBaseUrl, lazyFansApiClient } from "../services/email/fans-api-client.js";
import { MailOutbox } from "../services/email/mail-outbox.js";
import { FanNotifications } from "../services/notifications/fan-notifications.js";
import type { PaymentHandlerDeps } from "../services/payment/payment-handler.js";
import { SimulatedPaymentGateway } from "../services/payment/simulated-payment-gateway.js";
import { TablePaymentLedger } from "../services/payment/table-payment-ledger.js";
import { reportCircuitChange } from "../services/ticketing-provider/circuit-state-report.js";
import { ServiceBusCommandDeferral } from "../services/ticketing-provider/command-deferral.js";
import { ticketingProviderBaseUrl } from "../services/ticketing-provider/provider-base-url.js";
import { ProviderCircuitBreaker } from "../services/ticketing-provider/provider-circuit-breaker.js";
import { TicketingProviderClient } from "../services/ticketing-provider/ticketing-provider-client.js";
import type { TicketingProviderHandlerDeps } from "../services/ticketing-provider/ticketing-provider-handler.js";
import { createTableClient, LazyTable } from "../storage/table-client.js";
import { Projector } from "../projections/projector.js";
import { TableRowStore } from "../projections/table-row-store.js";
import { createReadModelQueryBus } from "../queries/read-model-queries.js";

export interface AppServices {
  readonly settings: AppSettings;
  /** For the HTTP endpoints: read streams, send commands. */
  readonly api: ApiDeps;
  /** For the command handlers of `concerts` and `purchases`. */
  readonly handlers: HandlerDeps;
  readonly purchaseProcess: PurchaseProcessDeps;
  readonly payments: PaymentHandlerDeps;
  readonly ticketingProvider: TicketingProviderHandlerDeps;
  readonly email: EmailService;
  /** The ticketing side's replica of the fans' profiles (Table `fanreplica`), kept by the fan-replica consumer. */
  readonly fanReplica: TableFanReplica;
  readonly notifications: FanNotifications;
  /** The read models' consumer (functions/projections.ts): events -> Tables purchasestatus, fanpurchases, ... */
  readonly projector: Projector;
  readonly sweeper: OutboxSweeper;
  close(): Promise<void>;
}

export interface AppServicesOptions {
  /** Where the relay reports records it could not deliver (they stay pending for the sweeper). */
  onRelayError?: (destination: Destination | "markSent", error: unknown, records: readonly OutboxRecord[]) => void;
}

export function createAppServices(env: Env = process.env, options: AppServicesOptions = {}): AppServices {
  const connections = loadSettings(env);
  const settings = loadAppSettings(env);
  const store = new TableEventStore(createTableClient(connections.storage, topology.tables.events), {
    // Left in the table: the sweeper delivers them again, and duplicate detection drops the copies.
    onSentRowsError: (err, streamId, rows) =>
      console.warn(`outbox: ${rows} sent row(s) of ${streamId} left in the table for the sweeper: ${String(err)}`),
  });
  const serviceBusClient: ServiceBusClient = createServiceBusClient(connections.serviceBus);
  const bus = new ServiceBusMessageBus(serviceBusClient);
  const kafka = connections.eventHubs ? new KafkaEventStream(createKafka(connections.eventHubs)) : undefined;
  const eventGrid = new EventGridPublisher(connections.eventGrid);
  const relay = new OutboxRelay({ store, serviceBus: bus, ...(kafka ? { kafka } : {}), eventGrid, ...(options.onRelayError ? { onError: options.onRelayError } : {}) });
  const handlers: HandlerDeps = { store, relay, snapshotEvery: settings.snapshotEvery };
  const gateway = new SimulatedPaymentGateway(new TablePaymentLedger(new LazyTable(createTableClient(connections.storage, topology.tables.payments))), {
    declineOverCents: settings.paymentDeclineOverCents,
    transientFailureRate: settings.paymentTransientFailureRate,
  });
  // Built on first use: the provider's URL may come from WEBSITE_HOSTNAME, which only the IssueTickets path needs.
  // One circuit breaker per worker process: in Azure every Functions instance keeps its own (in memory).
  let provider: TicketingProviderClient | undefined;
  const deferral = new ServiceBusCommandDeferral(serviceBusClient);
  const ticketingProvider = {
    ...handlers,
    deferral,
    get provider(): TicketingProviderClient {
      provider ??= new TicketingProviderClient({
        baseUrl: ticketingProviderBaseUrl(settings.ticketingProviderBaseUrl, env),
        circuit: new ProviderCircuitBreaker({
          failures: settings.ticketingProviderBreakerFailures,
          halfOpenAfterMs: settings.ticketingProviderBreakerHalfOpenAfterMs,
          attemptTimeoutMs: settings.ticketingProviderAttemptTimeoutMs,
          onStateChange: (change) => reportCircuitChange(change),
        }),
      });
      return provider;
    },
  };
  const readModelTable = (table: string) => new TableRowStore(createTableClient(connections.storage, table));
  const readModelTables = {
    purchaseStatus: readModelTable(topology.tables.purchaseStatus),
    fanPurchases: readModelTable(topology.tables.fanPurchases),
    concertAvailability: readModelTable(topology.tables.concertAvailability),
    concertSales: readModelTable(topology.tables.concertSales),
  };
  const byTable = new Map(Object.values(readModelTables).map((rows) => [rows.name, rows]));
  const projector = new Projector((model) => byTable.get(model.table) ?? readModelTable(model.table), store);
  const fanReplica = new TableFanReplica(new LazyTable(createTableClient(connections.storage, topology.tables.fanReplica)));
  // Built on first use, like the provider: the fans API's URL may come from WEBSITE_HOSTNAME.
  const fans = lazyFansApiClient(() => new FansApiClient({ baseUrl: fansApiBaseUrl(settings.fansBaseUrl, env) }));
  return {
    settings,
    api: { store, commands: bus, fanReplica, queries: createReadModelQueryBus(readModelTables), spokenFor: new TicketsSpokenFor(settings.admissionHoldMs) },
    handlers,
    purchaseProcess: { ...handlers, settings: { reservationTimeoutMs: settings.reservationTimeoutMs } },
    payments: { ...handlers, gateway },
    ticketingProvider,
    email: new EmailService(new MailOutbox(new LazyTable(createTableClient(connections.storage, topology.tables.mails))), undefined, fans),
    fanReplica,
    projector,
    notifications: new FanNotifications(new LazyTable(createTableClient(connections.storage, topology.tables.notifications))),
    sweeper: new OutboxSweeper({ store, relay, gracePeriodMs: settings.outboxSweepGraceMs }),
    async close() {
      await Promise.allSettled([bus.close(), kafka?.close(), eventGrid.close(), deferral.close(), store.flushSent()]);
      await serviceBusClient.close();
    },
  };
}

let current: AppServices | undefined;

/** The worker's services, built on first use (a missing setting then fails that invocation with a clear message). */
export function appServices(): AppServices {
  current ??= createAppServices(process.env, {
    onRelayError: (destination, error, records) =>
      console.warn(`outbox relay: ${records.length} record(s) left pending for the sweeper (${destination}: ${error instanceof Error ? error.message : String(error)})`),
  });
  return current;
}

/** Closes the worker's services (app terminate). */
export async function closeAppServices(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.close();
}
