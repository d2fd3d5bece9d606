/** HTTP limits as options: any mix of deadlines a caller passes gives a server Node accepts. */
import { expect, it } from "vitest";
import { EmulatorHttpServer } from "../../../emulator/common/http-server.js";

it("takes a request deadline shorter than the default headers deadline (the headers deadline follows it)", async () => {
  const server = new EmulatorHttpServer({ requestTimeoutMs: 600 });
  expect(server.server.requestTimeout).toBe(600);
  expect(server.server.headersTimeout).toBe(600);
  await server.close();
});
