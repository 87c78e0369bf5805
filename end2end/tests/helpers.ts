import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";

export const needs = (page: Page): Locator => page.locator("li.need");
export const needById = (page: Page, id: string): Locator =>
  page.locator(`li.need[data-need-id="${id}"]`);

/** Waits until the hydrated board is receiving live changes. */
export async function waitUntilLive(page: Page): Promise<void> {
  await expect(page.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 10_000 });
}

/** Waits until the client has taken over the page (typing before that would be lost). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 10_000 });
}

/** The id and title of the n-th need on the board. */
export async function needAt(page: Page, n: number): Promise<{ id: string; title: string }> {
  const card = needs(page).nth(n);
  const id = (await card.getAttribute("data-need-id")) ?? "";
  const title = (await card.locator(".need-title").textContent()) ?? "";
  expect(id).not.toBe("");
  return { id, title };
}

let phoneSerial = 0;

/** A mobile number no other test uses. */
export function freshPhone(): string {
  phoneSerial += 1;
  const tail = String((Date.now() * 10 + phoneSerial) % 100_000_000).padStart(8, "0");
  return `158${tail}`;
}

/** The password of every demo account (see README). */
export const DEMO_PASSWORD = "wanshan-demo";

/**
 * Signs up a new donor through the API of this page's browser context, so the browser holds
 * the session cookie, as if the donor had used the sign-up page.
 */
export async function signUpDonor(page: Page, name = "爱心人士"): Promise<void> {
  const response = await page.request.post("/api/sign_up", {
    form: { phone: freshPhone(), name, password: "e2e-password" },
  });
  expect(response.status()).toBe(200);
}

/** Signs a demo account in, in this page's browser context. */
export async function signInAs(page: Page, phone: string): Promise<void> {
  const response = await page.request.post("/api/sign_in", {
    form: { phone, password: DEMO_PASSWORD },
  });
  expect(response.status()).toBe(200);
}

/** Opens a need's claim form, as a signed-in donor on the board does. */
export async function openClaim(page: Page, id: string) {
  await needById(page, id).getByText("我来认领").click();
}

export async function submitClaim(page: Page, id: string) {
  await needById(page, id).getByRole("button", { name: "确认认领" }).click();
}

/** Another donor claims through the API, as another phone would. */
export async function claimElsewhere(request: APIRequestContext, baseURL: string, id: string) {
  const signedUp = await request.post(`${baseURL}/api/sign_up`, {
    form: { phone: freshPhone(), name: "另一位爱心人士", password: "e2e-password" },
  });
  expect(signedUp.status()).toBe(200);
  const response = await request.post(`${baseURL}/api/claim_need`, { form: { need_id: id } });
  expect(response.status()).toBe(200);
}

/** A valid (made-up) resident ID number: 17 digits and the check digit. */
export function idNumber(serial: number): string {
  const body = `320000198001${String(serial % 100_000).padStart(5, "0")}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
  return body + "10X98765432"[sum % 11];
}

/** The n-th spare free port run.sh reserved for servers a spec starts itself (0 is the suite's). */
export function sparePort(n: number): number {
  const ports = (process.env.WANSHAN_E2E_PORTS ?? "").split(",").filter(Boolean).map(Number);
  return ports[n] ?? Number(process.env.WANSHAN_E2E_PORT ?? 3917) + n;
}

/** A server of the test's own (to stop, restart, or run several), once it answers. It asks for
 * the demo needs and accounts, as the suite's own server does (the binary's default is none). */
export async function startServer(
  request: APIRequestContext,
  port: number,
  database: string,
): Promise<ChildProcess> {
  const server = spawn(process.env.WANSHAN_SERVER ?? "../target/debug/wanshan-server", [], {
    env: {
      ...process.env,
      WANSHAN_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: database,
      WANSHAN_DEMO: "true",
      RUST_LOG: "warn",
    },
    stdio: "inherit",
  });
  await expect
    .poll(async () => (await request.get(`http://127.0.0.1:${port}/`).catch(() => null))?.status(), {
      timeout: 20_000,
    })
    .toBe(200);
  return server;
}

export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGKILL");
  await exited;
}
