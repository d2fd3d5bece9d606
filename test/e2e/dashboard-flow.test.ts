/**
 * One purchase followed live in the dashboard, in real headless Chromium: the whole system runs (Azurite, the
 * emulator, the local Functions host with the app), a purchase is placed through the app's API with a correlation
 * id, and the page opened on that id fills in hop by hop (the HTTP function, Service Bus sends, deliveries and
 * settlements, the functions each message triggers, Event Grid's push) without a reload. The README's two
 * screenshots come from here.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fan, TicketingClient } from "../system/purchase-client.js";
import { type SystemUnderTest, startSystemUnderTest } from "../system/system-under-test.js";
import { describeInBrowser, launchChromium, screenshot } from "./browser.js";

let sut: SystemUnderTest;
let api: TicketingClient;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [sut, browser] = await Promise.all([startSystemUnderTest(), launchChromium()]);
  api = new TicketingClient(sut);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sut?.close();
});

describeInBrowser("a purchase in the dashboard", () => {
  it("shows the purchase's flow filling in hop by hop across the host, Service Bus and Event Grid", async () => {
    const concert = await api.scheduleConcert({ capacity: { standard: 10, vip: 2 } });
    await page.goto(`${sut.system.emulator.http.url}/#flow/corr-dashboard-1`);
    await page.locator("span.live.on").waitFor();

    // What the page shows, sampled while the purchase runs: the list grows by itself.
    const counts: number[] = [];
    const sample = setInterval(() => {
      void page.locator("ol.timeline li").count().then((n) => counts.push(n), () => undefined);
    }, 50);
    const purchase = { concertId: concert.concertId, fan: fan(), tier: "vip", quantity: 1 };
    const res = await api.placePurchase(purchase, { "x-correlation-id": "corr-dashboard-1" });
    expect(res.status).toBe(202);
    const done = await api.outcome(res.body.purchaseId);
    expect(done.status).toBe("completed");
    await sut.invocation("notify-fan");
    await page.locator('ol.timeline li.eventgrid[data-kind="delivered"]').first().waitFor();
    clearInterval(sample);

    // Seen part-filled before complete: it filled in live, not all at once.
    const final = await page.locator("ol.timeline li").count();
    expect(counts.some((n) => n > 0 && n < final)).toBe(true);
    const hops = await page.locator("ol.timeline li").evaluateAll((items) =>
      items.map((li) => [li.classList[1], li.dataset.kind, li.querySelector(".where")?.textContent].join(" ")),
    );
    expect(hops[0]).toBe("functions invoked purchases-create");
    for (const hop of [
      "servicebus sent commands",
      "servicebus delivered commands/Subscriptions/purchases",
      "servicebus completed commands/Subscriptions/purchases",
      "functions invoked purchases",
      "servicebus enqueued events/Subscriptions/purchase-process",
      "functions invoked payments",
      "eventgrid published musicfest-events",
      "eventgrid delivered musicfest-events/purchase-notifications",
      "functions invoked notify-fan",
    ]) {
      expect(hops).toContain(hop);
    }
    await screenshot(page, "dashboard-flow", "docs/images/dashboard-flow.png");

    // Event Grid shows the delivery to the notify-fan function; Kafka the partition the purchase was produced to.
    await page.click('nav button[data-tab="eventgrid"]');
    const delivered = page.locator('tr[data-subscription="purchase-notifications"] > td:nth-child(5)');
    await delivered.waitFor();
    expect(Number(await delivered.textContent())).toBeGreaterThanOrEqual(1);
    await page.click('nav button[data-tab="kafka"]');
    await page.locator("h3:text('Consumer groups')").waitFor();
    const ends = await page.locator("table.entities").first().locator("td:nth-child(4)").allTextContents();
    expect(ends.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);

    // The Functions section links each invocation to its flow; the Service Bus section shows the real topology.
    await page.click('nav button[data-tab="functions"]');
    await page.locator('a.flow-link:text("corr-dashboard-1")').first().waitFor();
    await page.click('nav button[data-tab="servicebus"]');
    await page.locator('tr[data-entity="events/Subscriptions/purchase-process"]').waitFor();
    await screenshot(page, "dashboard", "docs/images/dashboard.png");
  });
});
