/**
 * The Event Grid-triggered fan notification: the musicfest-events topic pushes the catalog's `notify` events
 * (PurchaseCompleted, PurchaseCancelled; CloudEvents 1.0) to it through the `purchase-notifications` subscription.
 */
import { app, type InvocationContext } from "@azure/functions";
import { appServices } from "../src/app/app-services.js";
import { notificationConsumers } from "../src/app/consumers.js";
import { readMessage } from "../src/events/catalog.js";
import { notificationFor } from "../src/services/notifications/fan-notifications.js";
import { logOutcome } from "./invocation-log.js";
import { currentTime } from "../src/clock.js";

app.eventGrid("notify-fan", {
  handler: async (delivered: unknown, context: InvocationContext): Promise<void> => {
    const { name, message } = readMessage(delivered, notificationConsumers["notify-fan"]);
    const notification = notificationFor(name, message, currentTime());
    await appServices().notifications.record(notification);
    logOutcome(context, message.correlationid, `fan ${notification.fanId} notified: ${name} of purchase ${notification.purchaseId}`);
  },
});
