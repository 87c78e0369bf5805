import { expect, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";

export const needs = (page: Page): Locator => page.locator("li.need");
export const needById = (page: Page, id: string): Locator =>
  page.locator(`li.need[data-need-id="${id}"]`);

/** Waits until the hydrated board is receiving live changes. */
export async function waitUntilLive(page: Page): Promise<void> {
  await expect(page.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 10_000 });
}

/** The id and title of the n-th need on the board. */
export async function needAt(page: Page, n: number): Promise<{ id: string; title: string }> {
  const card = needs(page).nth(n);
  const id = (await card.getAttribute("data-need-id")) ?? "";
  const title = (await card.locator(".need-title").textContent()) ?? "";
  expect(id).not.toBe("");
  return { id, title };
}

/** Opens a need's claim form and fills it, as a donor on the board does. */
export async function fillClaim(page: Page, id: string, name: string, contact: string) {
  const card = needById(page, id);
  await card.getByText("我来认领").click();
  await card.getByLabel("您的称呼").fill(name);
  await card.getByLabel("手机号或单位名称").fill(contact);
}

export async function submitClaim(page: Page, id: string) {
  await needById(page, id).getByRole("button", { name: "确认认领" }).click();
}

/** Another donor claims through the API, as another phone would. */
export async function claimElsewhere(request: APIRequestContext, baseURL: string, id: string) {
  const response = await request.post(`${baseURL}/api/claim_need`, {
    form: { need_id: id, donor_name: "另一位爱心人士", donor_contact: "13700000000" },
  });
  expect(response.status()).toBe(200);
}

/** The n-th spare free port run.sh reserved for servers a spec starts itself (0 is the suite's). */
export function sparePort(n: number): number {
  const ports = (process.env.WANSHAN_E2E_PORTS ?? "").split(",").filter(Boolean).map(Number);
  return ports[n] ?? Number(process.env.WANSHAN_E2E_PORT ?? 3917) + n;
}

/** A server of the test's own (to stop, restart, or run several), once it answers. */
export async function startServer(
  request: APIRequestContext,
  port: number,
  database: string,
): Promise<ChildProcess> {
  const server = spawn(process.env.WANSHAN_SERVER ?? "../target/debug/wanshan-server", [], {
    env: { ...process.env, WANSHAN_ADDR: `127.0.0.1:${port}`, DATABASE_URL: database, RUST_LOG: "warn" },
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
