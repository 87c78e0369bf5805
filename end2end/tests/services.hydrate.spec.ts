import { expect, test } from "@playwright/test";
import { idNumber, signInAs } from "./helpers";

// Two browsers: a visitor has the list of services open; a volunteer books a family onto the
// demo offer elsewhere, and the visitor's page shows one place fewer without a reload; the
// booking is cancelled again and the place comes back. A newly approved offer appears at the
// top without a reload, and leaves when it is closed.

const VOLUNTEER = "13900000001";
const PROVIDER = "13900000006";

test("a slot's places follow bookings live on every open /offers page", async ({ browser, baseURL }, testInfo) => {
  const visitor = await (await browser.newContext({ baseURL })).newPage();
  await visitor.goto("/offers");
  await expect(visitor.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 10_000 });
  const card = visitor.locator("li.offer", { hasText: "周末初中数学英语辅导" });
  const slot = card.locator("li.slot").first();
  const before = Number(await slot.getAttribute("data-free"));
  expect(before).toBeGreaterThan(0);
  const offer = (await card.getAttribute("data-offer-id")) ?? "";
  const slotId = (await slot.getAttribute("data-slot-id")) ?? "";

  const volunteer = await (await browser.newContext({ baseURL })).newPage();
  await signInAs(volunteer, VOLUNTEER);
  const registered = await volunteer.request.post("/api/register_household", {
    form: {
      "form[town]": "云阳街道",
      "form[village]": "东门社区",
      "form[head_name]": "实时测试户主",
      "form[id_number]": idNumber(Date.now() + 23 + testInfo.project.name.length),
      "form[address]": "东门社区 8 幢",
      "form[phone]": "13700006666",
      "form[members]": "户主、女儿",
      "form[member_count]": "2",
      "form[low_income]": "expenditure",
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const booked = await volunteer.request.post("/api/book_service", {
    form: { offer_id: offer, slot_id: slotId, household_id: String(await registered.json()) },
  });
  expect(booked.status(), await booked.text()).toBe(200);
  await expect(slot).toHaveAttribute("data-free", String(before - 1));
  await expect(slot).toContainText(`余 ${before - 1} /`);

  const cancelled = await volunteer.request.post("/api/record_booking", {
    form: { booking_id: String(await booked.json()), outcome: "cancelled" },
  });
  expect(cancelled.status(), await cancelled.text()).toBe(200);
  await expect(slot).toHaveAttribute("data-free", String(before));
  // The family's name never reached the visitor.
  expect(await visitor.content()).not.toContain("实时测试户主");

  // A newly approved offer appears at the top without a reload; closed, it leaves.
  const provider = await (await browser.newContext({ baseURL })).newPage();
  await signInAs(provider, PROVIDER);
  const title = `陪护照料 ${testInfo.project.name}-${Date.now() % 100_000}`;
  const date = new Date(Date.now() + 6 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const created = await provider.request.post("/api/create_offer", {
    form: {
      "offer[kind]": "care",
      "offer[window]": "services",
      "offer[title]": title,
      "offer[description]": "社工每周上门陪伴独居老人聊天、散步，免费。",
      "offer[towns][0]": "云阳街道",
      "offer[slots]": `${date} 09:00-10:00`,
      "offer[places]": "3",
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  const id = String(await created.json());
  const approved = await volunteer.request.post("/api/decide_offer", {
    form: { offer_id: id, decision: "approve" },
  });
  expect(approved.status(), await approved.text()).toBe(200);
  await expect(visitor.locator("li.offer").first()).toHaveAttribute("data-offer-id", id);
  await expect(visitor.locator(`li.offer[data-offer-id="${id}"]`)).toContainText("余 3 / 3 个名额");
  const closed = await provider.request.post("/api/close_offer", { form: { offer_id: id } });
  expect(closed.status(), await closed.text()).toBe(200);
  await expect(visitor.locator(`li.offer[data-offer-id="${id}"]`)).toHaveCount(0);
});
