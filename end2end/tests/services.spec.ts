import { expect, test, type Browser, type Page } from "@playwright/test";
import { idNumber, signInAs, signUpDonor } from "./helpers";

// Non-material help in a browser, also on a phone and with JavaScript off (every form on these
// pages is a plain form): a provider offers a service, a volunteer approves it and books a
// family onto it, the provider sees whom to serve (never an ID number), and the booking is
// cancelled and the offer closed again (the shared demo data is left as found). A donor says
// what they want to help with and 为你推荐 ranks the board for them.

const VOLUNTEER = "13900000001";
const SECOND_VOLUNTEER = "13900000002";
const COUNCIL_YANLING = "13900000003";
const PROVIDER = "13900000006";

async function signedIn(browser: Browser, baseURL: string, phone: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signInAs(page, phone);
  return page;
}

/** `YYYY-MM-DD`, `days` from now, in Shanghai. */
function shanghaiDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}

test("a provider's offer is reviewed, a family is booked onto it, and the provider sees whom to serve", async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(60_000);
  const run = `${testInfo.project.name}-${Date.now() % 100_000}`;
  const title = `法律咨询 ${run}`;
  const head = `服务测试户主${Date.now() % 1000}`;
  const id = idNumber(Date.now() + 11 + testInfo.project.name.length);

  // The provider fills in the form.
  const provider = await signedIn(browser, baseURL!, PROVIDER);
  await provider.goto("/offers/new");
  const form = provider.getByTestId("offer-form");
  await form.getByLabel("服务类型").selectOption("legal");
  await form.getByLabel("帮扶窗口").selectOption("services");
  await form.getByLabel(/服务名称/).fill(title);
  await form.getByLabel(/服务内容/).fill("律师事务所的律师上门解答赡养、工伤和借贷纠纷问题，免费。");
  await form.getByLabel("延陵镇").check();
  await form.locator("#offer-slots").fill(`${shanghaiDate(5)} 14:00-16:00`);
  await form.locator("#offer-places").fill("2");
  await form.getByRole("button", { name: "提交审核" }).click();
  const mine = provider.getByTestId("my-offers").locator("li.work-item", { hasText: title });
  await expect(mine).toContainText("待志愿者审核");
  const offer = (await mine.getAttribute("data-offer-id")) ?? "";
  expect(offer).not.toBe("");
  // Not public before review.
  expect(await (await provider.request.get("/offers")).text()).not.toContain(title);

  // A volunteer of the town approves it.
  const volunteer = await signedIn(browser, baseURL!, VOLUNTEER);
  await volunteer.goto("/review/offers");
  const pending = volunteer.locator(`li[data-offer-id="${offer}"]`);
  await expect(pending).toContainText(title);
  await pending.getByRole("button", { name: "通过" }).click();
  await expect(volunteer.locator(`li[data-offer-id="${offer}"]`)).toHaveCount(0);

  // Public now, with its places; no family named.
  await volunteer.goto("/offers");
  const card = volunteer.locator(`li.offer[data-offer-id="${offer}"]`);
  await expect(card).toContainText(title);
  await expect(card).toContainText("余 2 / 2 个名额");

  // The volunteer registers a family and books it on the offer's page.
  const registered = await volunteer.request.post("/api/register_household", {
    form: {
      "form[town]": "延陵镇",
      "form[village]": "柳茹村",
      "form[head_name]": head,
      "form[id_number]": id,
      "form[address]": "柳茹村七组 5 号",
      "form[phone]": "13700007777",
      "form[members]": "户主、儿子",
      "form[member_count]": "2",
      "form[low_income]": "expenditure",
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const household = String(await registered.json());
  await volunteer.goto(`/offers/${offer}`);
  const book = volunteer.getByTestId("book-form");
  await book.getByLabel("家庭").selectOption(household);
  await book.getByLabel(/备注/).fill("需要上门");
  await book.getByRole("button", { name: "预约" }).click();
  await expect(volunteer.getByTestId("bookings")).toContainText(head);
  await expect(volunteer.locator("li.slot").first()).toContainText("余 1 / 2 个名额");

  // The provider sees whom to serve and where, never the ID number; the page fits a phone.
  await provider.goto("/my/offers");
  const booking = provider.getByTestId("my-offers").locator("li.booking", { hasText: head });
  await expect(booking).toContainText("13700007777");
  await expect(booking).toContainText("柳茹村七组 5 号");
  await expect(booking).toContainText("需要上门");
  expect(await provider.content()).not.toContain(id);
  const overflow = await provider.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(1);

  // Closing with a family booked ahead is refused, saying why; cancelled first, it closes.
  const item = provider.getByTestId("my-offers").locator(`li[data-offer-id="${offer}"]`);
  await item.getByRole("button", { name: "结束这项服务" }).click();
  await expect(provider.locator(".form-error")).toContainText("还有 1 户家庭的预约没有结果");
  await provider.goto("/my/offers");
  const again = provider.getByTestId("my-offers").locator(`li[data-offer-id="${offer}"]`);
  await again.locator("li.booking").getByLabel("登记结果").selectOption("cancelled");
  await again.locator("li.booking").getByRole("button", { name: "登记" }).click();
  await expect(
    provider.getByTestId("my-offers").locator(`li[data-offer-id="${offer}"] li.booking`),
  ).toHaveAttribute("data-status", "cancelled");
  await provider
    .getByTestId("my-offers")
    .locator(`li[data-offer-id="${offer}"]`)
    .getByRole("button", { name: "结束这项服务" })
    .click();
  await expect(
    provider.getByTestId("my-offers").locator(`li[data-offer-id="${offer}"]`),
  ).toHaveAttribute("data-status", "closed");
  expect(await (await provider.request.get("/offers")).text()).not.toContain(title);
});

test("a donor's interests rank 为你推荐, each card saying why, and a new match is a notice", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(60_000);
  await signUpDonor(page, "助保险的爱心人士");
  await page.goto("/my/interests");
  const form = page.getByTestId("interests-form");
  await form.getByLabel("助保险").check();
  await form.getByLabel("延陵镇").check();
  await form.getByLabel(/有合适的新需求时通知我/).check();
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("已保存。")).toBeVisible();

  // An insurance need of 延陵镇 passes both reviews (through the API, as the review pages do).
  const title = `意外险保费 ${testInfo.project.name}-${Date.now() % 100_000}`;
  const volunteer = await (await browser.newContext({ baseURL })).newPage();
  await signInAs(volunteer, VOLUNTEER);
  const registered = await volunteer.request.post("/api/register_household", {
    form: {
      "form[town]": "延陵镇",
      "form[village]": "大吕村",
      "form[head_name]": "推荐测试户主",
      "form[id_number]": idNumber(Date.now() + 31 + testInfo.project.name.length),
      "form[address]": "大吕村二组 9 号",
      "form[phone]": "13700005555",
      "form[members]": "户主、妻子",
      "form[member_count]": "2",
      "form[low_income]": "expenditure",
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const saved = await volunteer.request.post("/api/save_need", {
    form: {
      "form[need_id]": "",
      "form[household_id]": String(await registered.json()),
      "form[window]": "insurance",
      "form[title]": title,
      "form[story]": "夫妻二人在工地打零工，没有任何保险，希望资助一年意外险。",
      "form[ask_kind]": "money",
      "form[amount]": "600",
      "form[urgency]": "2",
      "form[private_notes]": "",
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const need = String(await saved.json());
  expect((await volunteer.request.post("/api/submit_need", { form: { need_id: need } })).status()).toBe(200);
  for (const [phone, stage] of [
    [COUNCIL_YANLING, "council"],
    [SECOND_VOLUNTEER, "volunteer"],
  ]) {
    const reviewer = await (await browser.newContext({ baseURL })).newPage();
    await signInAs(reviewer, phone);
    const version = "1";
    const approved = await reviewer.request.post("/api/approve_need", {
      form: { need_id: need, stage, version },
    });
    expect(approved.status(), await approved.text()).toBe(200);
  }

  // The donor heard of it, and 为你推荐 puts it among the best fits, saying why.
  await page.goto("/my/notices");
  await expect(page.getByText(`新需求「${title}」符合您的帮扶意向（助保险 · 延陵镇）`)).toBeVisible();
  await page.goto("/for-you");
  const listed = page.getByTestId("for-you").locator("li.need");
  await expect(listed.first().getByTestId("fit-line")).toHaveText("匹配：助保险 · 延陵镇");
  await expect(
    listed.filter({ hasText: title }).getByTestId("fit-line"),
  ).toHaveText("匹配：助保险 · 延陵镇");
  const lines = await listed.getByTestId("fit-line").allTextContents();
  expect(lines.length).toBe(await listed.count());
  const rank = (line: string) => (line.includes("助保险") ? 2 : 0) + (line.includes("延陵镇") ? 1 : 0);
  for (let i = 1; i < lines.length; i++) expect(rank(lines[i - 1])).toBeGreaterThanOrEqual(rank(lines[i]));
});
