// Browser test (needs Chromium at /usr/bin/chromium and a production build): a reviewer's day in
// one flow — sign in, upload a photo, answer three faces from the keyboard (one with a note), find them in History.
import path from "node:path";
import { expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { expectNoSeriousAxeFindings } from "@/test/support/axe";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";

const SAMPLE = path.resolve("node_modules/@vladmandic/face-api/demo/sample1.jpg");

const ui = useBrowserApp();

/** Screenshots are for people to look at when the flow or the layout changes. */
async function shot(name: string) {
  await ui.session().page.screenshot({ path: path.join(SCREENSHOT_DIR, `review-flow-${name}.png`), fullPage: true });
}

/** The toast shows one message at a time; wait for this one. */
async function toast(text: string) {
  await ui.session().page.getByTestId("toast").getByText(text, { exact: true }).waitFor({ timeout: 15_000 });
}

it.skipIf(!ui.executablePath)(
  "signs in, uploads a photo, answers three faces with the keyboard (one with a note, through the Incorrect form) and finds them in History",
  async () => {
    const { app, page } = ui.session();

    // Signed out, a page sends you to the login form and back again afterwards.
    await signInThroughForm(page, app.baseUrl, "/upload", app.admin, () => shot("01-login"));

    // Upload: every face is listed with its prediction.
    await page.locator('input[type="file"]').setInputFiles(SAMPLE);
    await page.getByRole("heading", { name: /faces found/ }).waitFor({ timeout: 120_000 });
    const cardCount = await page.getByTestId("face-card").count();
    expect(cardCount).toBeGreaterThanOrEqual(2);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await shot("02-upload");
    await expectNoSeriousAxeFindings(page, "upload, with faces");

    // Review: C answers "correct", and the next face is shown at once.
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Review", exact: true }).click();
    await page.waitForURL(/\/review$/);
    const item = page.getByTestId("review-item");
    await item.waitFor();
    await shot("03-review");
    await expectNoSeriousAxeFindings(page, "review");
    const firstId = Number(await item.getAttribute("data-prediction-id"));
    await page.keyboard.press("c");
    await toast("Saved: correct");
    await expect.poll(async () => Number(await item.getAttribute("data-prediction-id"))).not.toBe(firstId);

    // A digit that differs from the prediction records "incorrect" with that emotion.
    const secondId = Number(await item.getAttribute("data-prediction-id"));
    const predicted = (await page.getByTestId("predicted-label").textContent())?.trim() ?? "";
    const predictedIndex = EMOTION_LABELS.findIndex((l) => l === predicted);
    expect(predictedIndex).toBeGreaterThanOrEqual(0);
    const chosenIndex = (predictedIndex + 1) % EMOTION_LABELS.length;
    const chosen = EMOTION_LABELS[chosenIndex];
    await page.keyboard.press(String(chosenIndex + 1));
    await toast(`Saved: incorrect → ${chosen}`);
    await shot("04-review-answered");

    // X opens the Incorrect form: an emotion picked, a note typed, Enter saves both.
    const thirdId = Number(await item.getAttribute("data-prediction-id"));
    const thirdPredicted = (await page.getByTestId("predicted-label").textContent())?.trim() ?? "";
    const thirdIndex = (EMOTION_LABELS.findIndex((l) => l === thirdPredicted) + 2) % EMOTION_LABELS.length;
    await page.keyboard.press("x");
    await page.keyboard.press(String(thirdIndex + 1));
    await page.getByLabel("Note").fill("eyebrows say otherwise");
    await page.keyboard.press("Enter");
    await toast(`Saved: incorrect → ${EMOTION_LABELS[thirdIndex]}`);

    // History lists both verdicts as they were stored.
    await nav.getByRole("link", { name: "History", exact: true }).click();
    await page.waitForURL(/\/history$/);
    const rows = page.getByTestId("history-row");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    const correct = page.locator(`[data-testid="history-row"][data-prediction-id="${firstId}"]`);
    const incorrect = page.locator(`[data-testid="history-row"][data-prediction-id="${secondId}"]`);
    expect(await correct.getAttribute("data-verdict")).toBe("correct");
    expect(await incorrect.getAttribute("data-verdict")).toBe("incorrect");
    expect((await incorrect.getByTestId("history-corrected").textContent())?.trim()).toBe(chosen);
    const withNote = page.locator(`[data-testid="history-row"][data-prediction-id="${thirdId}"]`);
    await withNote.getByText("eyebrows say otherwise").waitFor();
    await shot("05-history");
    await expectNoSeriousAxeFindings(page, "history");
  },
  240_000,
);
