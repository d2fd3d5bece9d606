/**
 * The Event Grid-triggered notification function: the musicfest-events topic pushes PurchaseCompleted and
 * PurchaseDeclined (CloudEvents) to it through the `purchase-notifications` subscription, and it notifies the fan.
 */
import { app, type InvocationContext } from "@azure/functions";
import { readEvent } from "../src/events/catalog.js";
import { notificationFor } from "../src/services/notifications/fan-notifications.js";
import { dependencies } from "./dependencies.js";

app.eventGrid("notify-fan", {
  handler: async (delivered: unknown, context: InvocationContext) => {
    const { event } = readEvent(delivered, ["PurchaseCompleted", "PurchaseDeclined"]);
    const notification = notificationFor(event, new Date());
    await dependencies().notifications.record(notification);
    context.log(`[correlationId=${event.correlationid}] fan ${event.data.fan.id} notified: ${notification.kind} for purchase ${event.data.purchaseId}`);
  },
});
