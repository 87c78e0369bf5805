import { expect, test, type Browser, type Page } from "@playwright/test";
import { idNumber, signInAs } from "./helpers";

// The supervision desk in a browser, also on a phone and with JavaScript off (every form on
// these pages is a plain form): the council reviewer refers a need to a government programme
// instead of the board; the city's official sees it on the desk, records the programme's
// answer, and reads the need's whole trail and who opened the family's file. The official's
// pages never show the family's name, phone or ID number.

const VOLUNTEER = "13900000001";
const COUNCIL_YANLING = "13900000003";
const OFFICIAL = "13900000005";

async function signedIn(browser: Browser, baseURL: string, phone: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signInAs(page, phone);
  return page;
}

test("a referred need reaches the desk, never the board, and its trail shows every step", async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(60_000);
  const run = `${testInfo.project.name}-${Date.now() % 100_000}`;
  const title = `转介测试需求 ${run}`;
  const head = `督导测试户主${Date.now() % 1000}`;

  // A volunteer registers a family and submits a need for it (through the API, as the intake
  // page does; the intake page has its own specs).
  const volunteer = await signedIn(browser, baseURL!, VOLUNTEER);
  const registered = await volunteer.request.post("/api/register_household", {
    form: {
      "form[town]": "延陵镇",
      "form[village]": "柳茹村",
      "form[head_name]": head,
      "form[id_number]": idNumber(Date.now() + 7 + testInfo.project.name.length),
      "form[address]": "柳茹村九组 3 号",
      "form[phone]": "13700008888",
      "form[members]": "户主、母亲",
      "form[member_count]": "2",
      "form[low_income]": "expenditure",
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const household = String(await registered.json());
  const saved = await volunteer.request.post("/api/save_need", {
    form: {
      "form[need_id]": "",
      "form[household_id]": household,
      "form[window]": "medical",
      "form[title]": title,
      "form[story]": "母亲慢性病长期用药，医保报销后自付仍重。",
      "form[ask_kind]": "money",
      "form[amount]": "2000",
      "form[urgency]": "2",
      "form[private_notes]": "",
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const need = String(await saved.json());
  expect((await volunteer.request.post("/api/submit_need", { form: { need_id: need } })).status()).toBe(200);

  // The council reviewer refers it to 医疗救助 on the review page.
  const council = await signedIn(browser, baseURL!, COUNCIL_YANLING);
  await council.goto("/review");
  const item = council.locator(`li.review-item[data-need-id="${need}"]`);
  await expect(item).toContainText(title);
  await item.getByText("转介政府救助").click();
  const form = item.getByTestId("refer-form");
  await form.getByLabel("救助项目").selectOption("医疗救助");
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel("反馈期限").fill(due);
  await form.getByRole("button", { name: "转介", exact: true }).click();
  await expect(council.locator(`li.review-item[data-need-id="${need}"]`)).toHaveCount(0);
  await expect(council.getByTestId("referrals")).toContainText(title);

  // Never on the board, never a public page.
  const board = await (await council.request.get("/")).text();
  expect(board).not.toContain(title);
  expect((await council.request.get(`/needs/${need}`)).status()).toBe(404);

  // The official finds it on the desk and records the programme's answer.
  const official = await signedIn(browser, baseURL!, OFFICIAL);
  await official.goto("/desk");
  await expect(official.getByRole("heading", { name: /督导台/ })).toBeVisible();
  await expect(official.getByTestId("overdue")).toBeVisible();
  const referral = official.getByTestId("referrals").locator("li", { hasText: title });
  await expect(referral).toContainText("医疗救助");
  await referral.getByText("记录结果").click();
  const record = referral.getByTestId("record-referral");
  await record.getByLabel("获批", { exact: true }).check();
  await record.getByLabel(/获批金额/).fill("1500");
  await record.getByRole("button", { name: "保存结果" }).click();
  await expect(official.getByTestId("referrals").locator("li", { hasText: title })).toHaveCount(0);

  // The desk fits a phone: wide tables scroll inside themselves, never the page.
  const overflow = await official.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(1);

  // The whole trail, and who opened the family's file (the reviewer, on the review page).
  await official.goto(`/desk/needs/${need}`);
  const trail = official.getByTestId("trail");
  await expect(trail).toContainText("志愿者录入");
  await expect(trail).toContainText("转介政府救助");
  await expect(trail).toContainText("获批 ¥1,500");
  await expect(official.getByTestId("file-openings")).toContainText("延陵镇议事小组");
  await expect(official.getByTestId("file-openings")).toContainText("审核页");
  const shown = await official.content();
  expect(shown).not.toContain(head);
  expect(shown).not.toContain("13700008888");

  // Its exports are files the official's session may download.
  const csv = await official.request.get("/desk/export/referrals.csv");
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text).toContain(title);
  expect(text).not.toContain(head);
});
