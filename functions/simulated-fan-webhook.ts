/**
 * The simulated fan-facing webhook, pushed to by Event Grid's `fan-webhook` subscription (VIP purchase outcomes,
 * CloudEvents): anonymous, as a partner's public endpoint would be. See src/notifications/fan-webhook-endpoint.ts.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { loadSettings } from "../src/config.js";
import { FAN_WEBHOOK_TABLE, FanWebhookLog } from "../src/notifications/fan-webhook-log.js";
import { handleFanWebhook } from "../src/notifications/fan-webhook-endpoint.js";
import { createTableClient, LazyTable } from "../src/storage/table-client.js";

let log: FanWebhookLog | undefined;
const fanWebhookLog = () => (log ??= new FanWebhookLog(new LazyTable(createTableClient(loadSettings(process.env).storage, FAN_WEBHOOK_TABLE))));

app.http("simulated-fan-webhook", {
  methods: ["OPTIONS", "POST", "GET"],
  route: "simulated/fan-webhook",
  authLevel: "anonymous",
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const { recorded, ...answer } = await handleFanWebhook(request, fanWebhookLog());
    for (const p of recorded ?? []) context.log(`[correlationId=${p.correlationId ?? "-"}] fan ${p.fanId} received ${p.type} ${p.eventId}`);
    return answer;
  },
});
