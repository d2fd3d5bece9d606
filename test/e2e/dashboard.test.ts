/**
 * The emulator dashboard in real headless Chromium: the entities show with live counts, a dead letter can be peeked
 * (reason, decoded body) and resubmitted, a message's flow shows its hops, a test message is sent, the clock moves;
 * every change shows without a reload (the page's live stream), and actions pass the emulator's key check.
 */
import type { ServiceBusClient } from "@azure/service-bus";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.js";
import { serviceBusClient, serviceBusConfig, sendWith, startServiceBusEmulator } from "../helpers/servicebus.js";
import { describeInBrowser, launchChromium, screenshot, waitForText } from "./browser.js";

let emulator: Emulator;
let client: ServiceBusClient;
let browser: Browser;
let page: Page;

const vipOnly = { Name: "vip-only", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "tier = 'vip'" } } };
const config = serviceBusConfig(
  [{ Name: "orders", Properties: { MaxDeliveryCount: 3 } }],
  [{ Name: "news", Subscriptions: [{ Name: "all" }, { Name: "vip", Rules: [vipOnly] }] }],
);

const cell = (entity: string, column: number) => `tr[data-entity="${entity}"] > td:nth-child(${column})`;
const ACTIVE = 2;
const DEAD_LETTERED = 5;

beforeAll(async () => {
  emulator = await startServiceBusEmulator(config);
  client = serviceBusClient(emulator);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await client?.close();
  await emulator?.close();
});

describeInBrowser("the emulator dashboard", () => {
  it("shows the entities, then a sent message, its dead-lettering and its resubmission, without a reload", async () => {
    await page.goto(emulator.http.url);
    await page.locator('tr[data-entity="orders"]').waitFor();
    const rule = page.locator('tr[data-entity="news/Subscriptions/vip"] .rule');
    expect(await rule.textContent()).toBe("vip-only: tier = 'vip'");
    await page.locator("span.live.on").waitFor();

    await sendWith(client, "orders", { body: { orderId: 7 }, correlationId: "order-7", subject: "OrderPlaced" });
    await waitForText(page, cell("orders", ACTIVE), "1");

    const receiver = client.createReceiver("orders");
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    const reason = { deadLetterReason: "BadOrder", deadLetterErrorDescription: "no such concert" };
    await receiver.deadLetterMessage(message, reason);
    await receiver.close();
    await waitForText(page, cell("orders", DEAD_LETTERED), "1");
    await waitForText(page, cell("orders", ACTIVE), "0");
    await screenshot(page, "dashboard-entities");

    // Actions need the key: the user pastes the connection string the emulator prints.
    await page.fill('input[name="connection"]', emulator.serviceBus.connectionString);
    await page.click('form.creds button[type="submit"]');
    await page.click(`tr[data-entity="orders"] button:text("Dead letters")`);
    await page.locator('.message[data-seq] .reason').waitFor();
    expect(await page.locator(".message .reason").textContent()).toContain("BadOrder");
    expect(await page.locator(".message pre.body").textContent()).toContain('"orderId": 7');
    await screenshot(page, "dashboard-dead-letter");

    await page.click('.message button:text("Resubmit")');
    await waitForText(page, cell("orders", DEAD_LETTERED), "0");
    await waitForText(page, cell("orders", ACTIVE), "1");
    await page.locator('.toast:text("Resubmitted 1 message(s)")').waitFor();
  });

  it("shows a message's flow hop by hop, filling in as it moves", async () => {
    await page.click('nav button[data-tab="flow"]');
    await page.fill('input[name="flow"]', "order-7");
    await page.click('form.flow-form button[type="submit"]');
    const hops = page.locator("ol.timeline li");
    const kinds = () => hops.evaluateAll((items) => items.map((li) => li.getAttribute("data-kind")));
    await page.locator("ol.timeline li").first().waitFor();
    expect(await kinds()).toEqual(["enqueued", "delivered", "dead-lettered", "enqueued"]);
    const deadLettered = page.locator('ol.timeline li[data-kind="dead-lettered"] .detail');
    expect(await deadLettered.textContent()).toContain("BadOrder: no such concert");

    // The resubmitted message is received and completed while the page looks: the timeline grows by itself.
    const receiver = client.createReceiver("orders");
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.completeMessage(again);
    await receiver.close();
    await page.locator('ol.timeline li[data-kind="completed"]').waitFor();
    expect(await kinds()).toEqual(["enqueued", "delivered", "dead-lettered", "enqueued", "delivered", "completed"]);
  });

  it("sends a test message from the page and moves the clock, each shown without a reload", async () => {
    await page.click('nav button[data-tab="servicebus"]');
    await page.selectOption('form.send select[name="entity"]', "news");
    await page.fill('form.send input[name="correlationId"]', "from-the-page");
    await page.click('form.send button[type="submit"]');
    await waitForText(page, cell("news/Subscriptions/all", ACTIVE), "1");
    await waitForText(page, cell("news/Subscriptions/vip", ACTIVE), "0");

    const before = await page.locator(".clock-now").textContent();
    await page.fill('form.clock input[name="seconds"]', "3600");
    await page.click('form.clock button[type="submit"]');
    await page.locator('.toast:text("Clock moved 3600 s ahead.")').waitFor();
    await waitForText(page, ".clock .muted", /^\(\+3\d{6} ms\)$/);
    const after = await page.locator(".clock-now").textContent();
    expect(Date.parse(after!) - Date.parse(before!)).toBeGreaterThanOrEqual(3_600_000);
    expect(emulator.clock.now() - Date.now()).toBeGreaterThan(3_599_000);
  });

  it("refuses the page's actions without the key, and says how to get in", async () => {
    await page.click('.creds button:text("Forget")');
    await page.click(`tr[data-entity="orders"] button:text("Peek")`);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click(`tr[data-entity="orders"] button:text("Purge")`);
    await page.locator(".toast.bad").waitFor();
    expect(await page.locator(".toast.bad").textContent()).toContain("connection string");
    await waitForText(page, cell("orders", ACTIVE), "0"); // the completed message is gone; nothing else changed
  });
});
