import { expect, request as playwrightRequest, test, type APIResponse } from "@playwright/test";
import Ajv2020 from "ajv/dist/2020";
import { signInAs } from "./helpers";

// The agency exchange API from outside. An admin adds a partner agency and issues it a key in
// the browser (plain forms: JavaScript off too); then a separate HTTP client, holding only
// that key, drives /api/v1 through its OpenAPI document: every answer's status must be one the
// document declares for the operation, and its body must validate against the declared schema
// (Ajv, JSON Schema 2020-12, as OpenAPI 3.1 uses). The admin then revokes the key, and an
// official reads the calls in the audit log.

const ADMIN = "13900000000";
const OFFICIAL = "13900000005"; // 丹阳市督导, the city's official

/** A valid resident ID number: 17 digits from `serial`, then the ISO 7064 check character. */
function idNumber(serial: number): string {
  const body = `32118119900307${String(serial % 1000).padStart(3, "0")}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * weights[i], 0);
  return body + "10X98765432"[sum % 11];
}

test("an agency's key drives the API through its OpenAPI document, then is revoked", async ({ page, baseURL }) => {
  // The admin adds the agency and issues a key, shown once.
  await signInAs(page, ADMIN);
  await page.goto("/admin");
  await page.getByRole("link", { name: "管理机构与密钥" }).click();
  await expect(page).toHaveURL(/\/admin\/agencies$/);
  const name = `e2e 民政局 ${Date.now() % 1_000_000}`;
  await page.getByTestId("create-agency").getByLabel("机构名称").fill(name);
  await page.getByTestId("create-agency").getByRole("button", { name: "添加机构" }).click();
  await expect(page).toHaveURL(/\/admin\/agencies\?created=\d+/);
  const panel = page.getByTestId("agency").filter({ has: page.getByRole("heading", { name }) });
  await expect(panel).toBeVisible();
  await panel.getByLabel(/^用途说明/).fill("救助系统对接");
  await panel.getByLabel("救后录入").check();
  await panel.getByLabel(/^每分钟最多调用次数/).fill("120");
  await panel.getByRole("button", { name: "生成新密钥" }).click();
  await expect(page.getByText("这个密钥只显示这一次。")).toBeVisible();
  const token = (await page.getByTestId("new-key").textContent()) ?? "";
  expect(token).toMatch(/^wsk_[0-9a-f]{12}_[0-9a-f]{64}$/);

  // The test client: no cookies, only the key.
  const client = await playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  const docResponse = await client.get("/api/v1/openapi.json", { timeout: 10_000 });
  expect(docResponse.status()).toBe(200);
  const doc = await docResponse.json();
  expect(doc.openapi).toMatch(/^3\.1/);
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc, "openapi.json");

  /** Checks an answer against the document: a declared status and, with JSON, the schema. */
  async function conforms(method: string, path: string, response: APIResponse): Promise<unknown> {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path} is in the document`).toBeTruthy();
    const status = String(response.status());
    const declared = operation.responses[status];
    expect(declared, `${method} ${path} declares ${status}`).toBeTruthy();
    const media = declared.content?.["application/json"];
    if (!media) return undefined;
    const body = await response.json();
    const ref = media.schema.$ref as string;
    const validate = ajv.getSchema(`openapi.json${ref}`);
    expect(validate, `the schema ${ref} compiles`).toBeTruthy();
    const valid = validate!(body);
    expect(valid, `${method} ${path} ${status}: ${JSON.stringify(validate!.errors)} for ${JSON.stringify(body)}`).toBe(true);
    return body;
  }
  const post = async (path: string, data: unknown) =>
    conforms("post", path, await client.post(path, { data, timeout: 10_000 }));

  const who = (await conforms("get", "/api/v1/agency", await client.get("/api/v1/agency", { timeout: 10_000 }))) as {
    agency: string;
    scopes: string[];
  };
  expect(who.agency).toBe(name);
  expect(who.scopes).toEqual(["query", "record"]);

  const person = idNumber(Date.now());
  const key = `e2e-${Date.now()}`;
  const record = { key, id_number: person, window: "medical", cause: "住院自付费用", date: "2026-03-15", amount_fen: 200000 };
  expect(await post("/api/v1/aid/records", record)).toMatchObject({ key, created: true });
  expect(await post("/api/v1/aid/records", record)).toMatchObject({ key, created: false });
  expect(await post("/api/v1/aid/records", { ...record, amount_fen: 1 })).toMatchObject({ code: "KeyReused" });
  expect(await post("/api/v1/aid/records", { ...record, key: `${key}-b`, window: "flying" })).toMatchObject({
    code: "Invalid",
    field: "window",
  });
  const counts = (await post("/api/v1/aid/query", { id_number: person, months: 24 })) as {
    windows: { window: string; yours: number; other_agencies: number; platform: number }[];
  };
  expect(counts.windows.find((w) => w.window === "medical")).toMatchObject({ yours: 1, other_agencies: 0, platform: 0 });
  expect(await post("/api/v1/aid/query", { id_number: "123" })).toMatchObject({ field: "id_number" });
  expect(await post("/api/v1/aid/query", { id_number: person, extra: 1 })).toMatchObject({ code: "BadRequest" });
  const csv = `key,id_number,window,cause,date,amount_fen\n${key}-csv,${person},home,改厕,2026-04-01,\n`;
  const bulk = await client.post("/api/v1/aid/records.csv", {
    data: csv,
    headers: { "content-type": "text/csv" },
    timeout: 10_000,
  });
  expect(await conforms("post", "/api/v1/aid/records.csv", bulk)).toEqual({ created: 1, unchanged: 0 });
  const stranger = await playwrightRequest.newContext({ baseURL });
  expect(
    await conforms("post", "/api/v1/aid/query", await stranger.post("/api/v1/aid/query", { data: { id_number: person }, timeout: 10_000 })),
  ).toMatchObject({ code: "Unauthorized" });
  await stranger.dispose();

  // The docs page is readable and self-contained.
  await page.goto("/api/v1/docs");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("机构数据交换接口");
  await expect(page.locator("#op-query_aid")).toContainText("/api/v1/aid/query");
  await expect(page.locator("script")).toHaveCount(0);

  // Revoked in the browser: the next call is refused.
  await page.goto("/admin/agencies");
  await panel.getByRole("button", { name: "作废" }).click();
  await expect(page).toHaveURL(/\/admin\/agencies\?revoked=1/);
  await expect(panel.getByTestId("api-key").first()).toContainText("已作废");
  expect(await conforms("get", "/api/v1/agency", await client.get("/api/v1/agency", { timeout: 10_000 }))).toMatchObject({
    code: "Unauthorized",
  });
  await client.dispose();

  // The city's official reads the calls of this agency in the audit log.
  const official = await page.context().browser()!.newContext({ baseURL });
  const desk = await official.newPage();
  await signInAs(desk, OFFICIAL);
  await desk.goto("/admin/api-log");
  await desk.getByLabel("机构").selectOption({ label: name });
  await desk.getByRole("button", { name: "查看" }).click();
  await expect(desk).toHaveURL(/\/admin\/api-log\?agency=\d+/);
  await expect(desk.getByTestId("api-log-total")).toHaveAttribute("data-total", "9");
  await expect(desk.getByTestId("api-call").first()).toContainText("record_csv");
  await expect(desk.locator("body")).not.toContainText(person);
  const scrolls = await desk.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(scrolls, "no sideways scroll").toBe(false);
  await official.close();
});
