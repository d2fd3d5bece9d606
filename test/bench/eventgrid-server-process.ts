/**
 * Child process of the Event Grid bench: an Event Grid service (one topic, one webhook subscription to the URL given
 * in argv[2]) on its own HTTP port, and a plain node:http server answering 200 to any POST (the baseline), in the same
 * process. Talks to the parent over IPC: "ready" with the URLs, "cpu" (CPU time used so far), then "close".
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EmulatorClock } from "../../emulator/common/clock.js";
import { EmulatorHttpServer } from "../../emulator/common/http-server.js";
import { createLogger } from "../../emulator/common/logger.js";
import { parseEventGridConfig, startEventGrid } from "../../emulator/eventgrid/index.js";
import { mutationGuard } from "../../emulator/servicebus/admin/mutation-guard.js";
import { EMULATOR_KEY } from "../../emulator/servicebus/sas-token.js";

const webhookUrl = process.argv[2];
const clock = new EmulatorClock();
const server = new EmulatorHttpServer();
// The emulator's guard, so the bench measures the server as `npm run emulator` runs it (publish is not guarded).
server.guardMutations(mutationGuard({ credentials: EMULATOR_KEY, namespaceName: "bench" }));
const eventGrid = startEventGrid({
  config: parseEventGridConfig({
    topics: [{ name: "bench", eventSubscriptions: [{ name: "bench-hook", properties: { destination: { endpointType: "WebHook", properties: { endpointUrl: webhookUrl } } } }] }],
  }),
  http: server,
  clock,
  logger: createLogger("silent"),
});
const port = await server.listen(0, "127.0.0.1");
eventGrid.setBaseUrl(`http://127.0.0.1:${port}`);

const plain = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-length": "0" });
    res.end();
  });
});
plain.keepAliveTimeout = 5000;
await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));

const topic = eventGrid.topics[0];
process.send!({ type: "ready", endpoint: topic.endpoint, key: topic.key, plainUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/plain` });
process.on("message", async (message: { type: string }) => {
  if (message.type === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send!({ type: "cpu", micros: user + system });
    return;
  }
  if (message.type !== "close") return;
  await eventGrid.close();
  await server.close();
  plain.closeAllConnections();
  plain.close();
  clock.dispose();
  process.exit(0);
});
