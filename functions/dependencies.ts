/**
 * The app's shared clients, built once per worker from the settings on first use (so a missing setting fails the
 * invocation that needs it with a clear message instead of the whole app at load) and closed when the app stops.
 */
import { app } from "@azure/functions";
import type { ServiceBusClient } from "@azure/service-bus";
import { loadSettings, topology } from "../src/config.js";
import { EventGridEventPublisher } from "../src/messaging/event-grid-event-publisher.js";
import { createServiceBusClient, ServiceBusEventPublisher } from "../src/messaging/service-bus-event-publisher.js";
import { PurchaseReadModel } from "../src/projections/purchase-read-model.js";
import { PurchaseProcess } from "../src/sagas/purchase-process.js";
import { FanNotifications } from "../src/services/notifications/fan-notifications.js";
import { SimulatedPaymentGateway } from "../src/services/payment/payment-gateway.js";
import { PaymentService } from "../src/services/payment/payment-service.js";
import { PurchaseRequests } from "../src/services/purchases/request-purchase.js";
import { TicketingProviderService } from "../src/services/ticketing-provider/ticketing-provider-service.js";
import { createTableClient, LazyTable } from "../src/storage/table-client.js";

export interface Dependencies {
  purchases: PurchaseReadModel;
  purchaseRequests: PurchaseRequests;
  payment: PaymentService;
  ticketingProvider: TicketingProviderService;
  purchaseProcess: PurchaseProcess;
  notifications: FanNotifications;
  close(): Promise<void>;
}

function create(): Dependencies {
  const settings = loadSettings(process.env);
  const serviceBus: ServiceBusClient = createServiceBusClient(settings.serviceBus);
  const purchasesTopic = new ServiceBusEventPublisher(serviceBus, topology.purchasesTopic);
  const eventGrid = new EventGridEventPublisher(settings.eventGrid);
  const purchases = new PurchaseReadModel(new LazyTable(createTableClient(settings.storage, topology.tables.purchases)));
  return {
    purchases,
    purchaseRequests: new PurchaseRequests(purchases, purchasesTopic),
    payment: new PaymentService(new SimulatedPaymentGateway(), purchasesTopic),
    ticketingProvider: new TicketingProviderService(purchasesTopic),
    purchaseProcess: new PurchaseProcess(purchases, eventGrid),
    notifications: new FanNotifications(new LazyTable(createTableClient(settings.storage, topology.tables.notifications))),
    async close() {
      await Promise.allSettled([purchasesTopic.close(), eventGrid.close()]);
      await serviceBus.close();
    },
  };
}

let current: Dependencies | undefined;

export function dependencies(): Dependencies {
  current ??= create();
  return current;
}

app.hook.appTerminate(async () => {
  const closing = current;
  current = undefined;
  await closing?.close();
});
