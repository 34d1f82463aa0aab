// Browser test (needs Chromium at /usr/bin/chromium and a production build): an admin's retrain
// loop — build a golden set, read the form's pre-flight (and be stopped by it), start a job, follow
// it live, compare the candidate, roll back to version 1 through the confirmation dialog, and
// compare two versions of one's choosing.
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { signIn } from "@/test/support/app-server";
import { expectNoSeriousAxeFindings } from "@/test/support/axe";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { client, seedLabelledCrops, seedReviewedFaces } from "@/test/support/http";

const ui = useBrowserApp({ worker: true, env: { REPLAY_PER_CLASS: "0" } }, async (app) => {
  // Reviewed faces to train on, through the API: six photos, every face given a verdict.
  const admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  await seedReviewedFaces(admin);
});

/** Screenshots are for people to look at when the flow or the layout changes. */
async function shot(name: string) {
  await ui.session().page.screenshot({ path: path.join(SCREENSHOT_DIR, `retrain-flow-${name}.png`), fullPage: true });
}

function versionRow(version: number) {
  return ui.session().page.locator(`[data-testid="model-row"][data-version="${version}"]`);
}

/** Opens the confirmation from a row of the versions table and confirms it with a reason. */
async function activateFromTable(version: number, button: RegExp, reason: string, screenshot?: string) {
  const { page } = ui.session();
  await versionRow(version).getByRole("button", { name: button }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  // The dialog starts on its one field, so a reason can be typed at once.
  const field = dialog.getByLabel(/Reason/);
  await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
  await field.fill(reason);
  if (screenshot) await shot(screenshot);
  await dialog
    .getByRole("button", { name: new RegExp(`^(Promote|Activate|Roll back to) version ${version}$`) })
    .click();
  await dialog.waitFor({ state: "detached", timeout: 30_000 });
  await expect.poll(() => versionRow(version).getAttribute("data-status"), { timeout: 15_000 }).toBe("ACTIVE");
  await page.getByTestId("models-status").getByText(`Version ${version} is now active.`).waitFor();
}

it.skipIf(!ui.executablePath)(
  "builds a golden set, trains from the form, follows the job live and rolls back to version 1",
  async () => {
    const { app, browser, page } = ui.session();

    // Signed out, the page sends you to the login form and back again afterwards.
    await signInThroughForm(page, app.baseUrl, "/golden", app.admin);

    // Golden set: pick four reviewed faces; the size is shown and the faces leave the pick list.
    // Patient: on a loaded machine the page may still be loading its figures.
    await expect.poll(() => page.getByTestId("golden-size").textContent(), { timeout: 15_000 }).toBe("0");
    const candidates = page.getByTestId("golden-candidates").getByRole("checkbox");
    await expect.poll(() => candidates.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 4; i++) await candidates.nth(i).check();
    await page.getByRole("button", { name: "Add 4 faces to the golden set" }).click();
    await expect.poll(() => page.getByTestId("golden-size").textContent(), { timeout: 15_000 }).toBe("4");
    await expect.poll(() => page.getByTestId("golden-faces").getByRole("listitem").count()).toBe(4);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await shot("01-golden");

    // Training: start a job from the form; the browser lands on its live page.
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Training", exact: true }).click();
    await page.waitForURL(/\/training$/);
    const form = page.getByTestId("start-job-form");
    // Before anything is created, the form shows what the job would train on, per emotion.
    const preflight = form.getByTestId("preflight");
    // (With the default minimum of 20 the seeded faces may or may not suffice: either verdict is shown.)
    await expect.poll(() => preflight.getAttribute("data-status"), { timeout: 15_000 }).toBe("ready");
    const train = Number(await preflight.getByTestId("preflight-train").textContent());
    const held = Number(await preflight.getByTestId("preflight-holdout").textContent());
    expect(train).toBeGreaterThanOrEqual(5);
    expect(held).toBeGreaterThan(0);
    // The same counts as the API's pre-flight, emotion by emotion.
    const api = (await (await page.request.get(`${app.baseUrl}/api/training-jobs/preflight`)).json()) as {
      classes: Record<string, { train: number; holdout: number }>;
      train: number;
    };
    expect(train).toBe(api.train);
    expect(await preflight.getByTestId("preflight-classes").locator("tbody tr").count()).toBe(
      Object.keys(api.classes).length,
    );
    // A minimum the faces cannot meet: the pre-flight says so (after typing pauses), Start is off
    // with the reason beside it, and nothing is created.
    const start = form.getByRole("button", { name: "Start training" });
    await form.getByLabel("Minimum faces").fill(String(train + 1));
    // The panel follows what was typed (it may already have been blocked by the default minimum).
    await expect
      .poll(() => preflight.getByTestId("preflight-blocked").textContent(), { timeout: 15_000 })
      .toContain(`${train} faces to train on, and this job needs at least ${train + 1}.`);
    await expect.poll(() => preflight.getAttribute("data-status")).toBe("ready");
    expect(await start.isDisabled()).toBe(true);
    expect(await form.getByTestId("start-blocked").textContent()).toMatch(
      new RegExp(`This job cannot succeed: Too few labelled faces: ${train} to train on \\(plus ${held} held out\\)`),
    );
    await page.setViewportSize({ width: 1280, height: 800 });
    await preflight.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "retrain-flow-02a-preflight-blocked.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
    // Switching how labels are formed asks again; a reachable minimum turns Start back on.
    await form.getByLabel(/Weighed by reviewer/).check();
    await expect.poll(() => preflight.getAttribute("data-status")).toBe("loading");
    await form.getByLabel(/^Majority/).check();
    await form.getByLabel("Epochs").fill("3");
    await form.getByLabel("Minimum faces").fill("5");
    await preflight.getByTestId("preflight-ok").waitFor({ timeout: 15_000 });
    expect(await start.isDisabled()).toBe(false);
    expect(await form.getByTestId("start-blocked").count()).toBe(0);
    expect(
      ((await (await page.request.get(`${app.baseUrl}/api/training-jobs`)).json()) as { jobs: unknown[] }).jobs,
    ).toHaveLength(0);
    // Small batches: several per epoch, so there is progress to watch.
    await form.getByLabel("Batch size").fill("2");
    // Learning without forgetting: a share of the loss out of range is refused beside the field,
    // one in range is sent and shown with the job's settings.
    // Each range is read from the schema: 0 is allowed here, a learning rate must be above it.
    const keep = form.getByLabel("Keep the base’s outputs");
    const rate = form.getByLabel("Learning rate");
    const defaultRate = await rate.inputValue();
    await keep.fill("1.5");
    await rate.fill("0");
    await form.getByRole("button", { name: "Start training" }).click();
    await form.getByText("Enter a number from 0 to 0.95.").waitFor();
    await form.getByText("Enter a number above 0, at most 0.1.").waitFor();
    expect(await keep.getAttribute("aria-invalid")).toBe("true");
    await keep.fill("0.3");
    await rate.fill(defaultRate);
    await page.getByText("No training jobs yet.").waitFor();
    await shot("02-training-form");
    await form.getByRole("button", { name: "Start training" }).click();
    await page.waitForURL(/\/training\/\d+$/);
    const jobId = Number(new URL(page.url()).pathname.split("/").pop());

    // Live: progress appears while it runs (epoch/batch text), then the outcome and three epochs of curves.
    await page.getByTestId("job-progress-text").waitFor({ timeout: 120_000 });
    expect(await page.getByTestId("job-progress-text").textContent()).toMatch(/Epoch \d of 3/);
    await shot("03-job-running");
    const settings = page.getByRole("region", { name: "Settings" });
    expect(await settings.getByText("0.3 of the loss, temperature 2").count()).toBe(1);
    const outcome = page.getByTestId("job-outcome");
    await outcome.waitFor({ timeout: 180_000 });
    expect(await page.getByTestId("job-curves").getAttribute("data-epochs")).toBe("3");
    // Both curves are drawn (chart.js canvases) over the three epochs run, each summarised for screen readers.
    const curveCharts = page.getByTestId("job-curves").locator("canvas[role=img]");
    expect(await curveCharts.count()).toBe(2);
    for (const label of await curveCharts.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))) {
      expect(label).toMatch(/per epoch, 3 epochs: Training .* at epoch 3\.$/);
    }
    expect(await page.getByTestId("job-log").textContent()).toMatch(/gate: /);
    await outcome.getByRole("heading", { name: /Promoted|Kept as a candidate/ }).waitFor();
    await shot("04-job-finished");
    await expectNoSeriousAxeFindings(page, "training job, finished");

    // The candidate's page: it beside version 1, on the same faces.
    await page.getByTestId("candidate-link").click();
    await page.waitForURL(/\/models\/\d+$/);
    await page.getByTestId("confusion-difference").waitFor({ timeout: 15_000 });
    // It says which two versions these are, why that one, and that twelve-odd faces mean little.
    expect(await page.getByTestId("comparison-heading").textContent()).toBe(
      "Version 2 compared with version 1, its parent",
    );
    expect(await page.getByTestId("comparison-basis").textContent()).toBe(
      "Both scored on the same faces when version 2 was trained.",
    );
    const scores = page.getByTestId("score-group").first();
    expect(await scores.getAttribute("data-same-faces")).toBe("true");
    expect(await scores.getByTestId("small-sample").textContent()).toMatch(
      /^n = \d+: too few faces for this figure to mean much\. Intervals are 95 %: Wilson score for accuracy/,
    );
    expect(await scores.getByTestId("figure-interval").first().textContent()).toMatch(/^95 % CI \d+\.\d–\d+\.\d %$/);
    // The candidate's faces were recorded one by one, so its change carries the exact paired test.
    expect(await scores.getByTestId("significance").first().textContent()).toMatch(/McNemar p = /);
    await shot("05-candidate-detail");
    await expectNoSeriousAxeFindings(page, "model version beside the active one");

    // Models: roll back to version 1 through the confirmation dialog.
    await nav.getByRole("link", { name: "Models", exact: true }).click();
    await page.waitForURL(/\/models$/);
    await versionRow(2).waitFor();
    expect(
      await versionRow(2)
        .getByRole("link", { name: `job #${jobId}` })
        .count(),
    ).toBe(1);
    await shot("06-models");
    await expectNoSeriousAxeFindings(page, "models");
    if ((await versionRow(1).getAttribute("data-status")) === "ACTIVE") {
      // Not promoted by the gate: promote it by hand first, so there is something to roll back from.
      await activateFromTable(2, /^Promote/, "try the candidate", "07-promote-dialog");
    }
    await activateFromTable(1, /^Roll back to this/, "rollback drill from the browser", "08-rollback-dialog");
    expect(await versionRow(2).getAttribute("data-status")).toBe("ARCHIVED");
    await shot("09-models-rolled-back");

    // The server agrees: version 1 serves predictions again.
    const health = (await (await fetch(`${app.baseUrl}/api/health`)).json()) as { model: { version: number } | null };
    expect(health.model?.version).toBe(1);

    // Version 1's page records the rollback with its reason.
    await versionRow(1).getByRole("link", { name: "Version 1" }).click();
    await page.getByTestId("model-history").getByText("rollback drill from the browser", { exact: false }).waitFor();
    // When version 2 took over, version 1's history says so in words, not as an audit code.
    const history = (await page.getByTestId("model-history").textContent()) ?? "";
    expect(history).toMatch(/Stopped serving \(version 2 became active\)/);
    expect(history).not.toContain("model.archive");
    await shot("10-version-1-detail");
    await expectNoSeriousAxeFindings(page, "model version 1");

    // One job at a time: while a long job runs, the form names it; its page cancels it. More
    // labelled crops first, so that the job cannot end by early stopping before the cancel (the
    // sample photos' faces alone make an epoch of a few batches where no replay data is on disk).
    await seedLabelledCrops(
      client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) }),
      120,
    );
    await nav.getByRole("link", { name: "Training", exact: true }).click();
    await page.waitForURL(/\/training$/);
    await form.getByLabel("Epochs").fill("200");
    await form.getByLabel("Minimum faces").fill("5");
    await form.getByLabel("Batch size").fill("1");
    await form.getByRole("button", { name: "Start training" }).click();
    await page.waitForURL(/\/training\/\d+$/);
    const longJob = Number(new URL(page.url()).pathname.split("/").pop());
    await page.getByRole("link", { name: "← Training jobs" }).click();
    await page.waitForURL(/\/training$/);
    await page.locator(`[data-testid="job-row"][data-job-id="${longJob}"]`).waitFor();
    // The form is back at its defaults: a minimum the faces meet, so Start is on.
    await form.getByLabel("Minimum faces").fill("5");
    await form.getByTestId("preflight-ok").waitFor({ timeout: 15_000 });
    await form.getByRole("button", { name: "Start training" }).click();
    const conflict = page.getByTestId("job-conflict");
    await conflict.getByText("A job is already running.").waitFor();
    await shot("11-job-conflict");
    await conflict.getByRole("link", { name: `open job #${longJob}` }).click();
    await page.waitForURL(new RegExp(`/training/${longJob}$`));
    await page.getByRole("button", { name: "Cancel job…" }).click();
    await page.getByRole("button", { name: "Stop job" }).click();
    await page.getByTestId("job-outcome").getByRole("heading", { name: "Cancelled" }).waitFor({ timeout: 30_000 });
    await shot("12-job-cancelled");
    // Cancelling leaves the active model alone.
    const after = (await (await fetch(`${app.baseUrl}/api/health`)).json()) as { model: { version: number } | null };
    expect(after.model?.version).toBe(1);

    // A version whose files were damaged cannot be activated: the dialog shows the server's reason.
    // Folders are named `job-<id>-<random>`: find this job's.
    const versions = path.join(app.modelsDir, "versions");
    const folder = fs.readdirSync(versions).find((f) => f.startsWith(`job-${jobId}-`));
    expect(folder, `a folder for job ${jobId} in ${versions}`).toBeDefined();
    const dir = path.join(versions, folder!);
    const shard = fs.readdirSync(dir).find((f) => f.endsWith(".bin"))!;
    const bytes = fs.readFileSync(path.join(dir, shard));
    bytes[0] = bytes[0]! ^ 0xff;
    fs.writeFileSync(path.join(dir, shard), bytes);
    await nav.getByRole("link", { name: "Models", exact: true }).click();
    await page.waitForURL(/\/models$/);
    await versionRow(2)
      .getByRole("button", { name: /^Activate/ })
      .click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Activate version 2" }).click();
    await dialog
      .getByTestId("activate-error")
      .getByText(/checksum mismatch/)
      .waitFor({ timeout: 15_000 });
    await shot("13-damaged-files");
    // Esc closes it and gives focus back to the button that opened it.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    const opener = versionRow(2).getByRole("button", { name: /^Activate/ });
    await expect.poll(() => opener.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await versionRow(1).getAttribute("data-status")).toBe("ACTIVE");

    // The same pages in dark mode, for people to check the theme.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${app.baseUrl}/training/${jobId}`);
    await page.getByTestId("job-outcome").waitFor();
    await shot("14-dark-job");
    await page.goto(`${app.baseUrl}/models`);
    await versionRow(1).waitFor();
    await shot("15-dark-models");
    await page.emulateMedia({ colorScheme: "light" });

    // A phone-sized window: tables scroll sideways, cards stack.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.baseUrl}/training/${jobId}`);
    await page.getByTestId("job-outcome").waitFor();
    await shot("16-narrow-job");
    await page.setViewportSize({ width: 1280, height: 900 });
    // This job replayed nothing (REPLAY_PER_CLASS=0), and its caption says what validation was.
    expect(await page.getByTestId("job-curves").textContent()).toMatch(
      /validation is \d+ of the \d+ reviewed faces \(a tenth, not trained on\); nothing was replayed\./,
    );

    // Any two versions: a third, trained from version 1 while it is active, is compared by
    // default with its parent on the same faces; choosing version 2 instead (never scored beside
    // it) names each side's faces and draws no difference, and the address keeps the choice.
    await page.goto(`${app.baseUrl}/training`);
    await form.getByLabel("Epochs").fill("1");
    await form.getByLabel("Minimum faces").fill("5");
    await form.getByLabel("Batch size").fill("8");
    await form.getByTestId("preflight-ok").waitFor({ timeout: 15_000 });
    await form.getByRole("button", { name: "Start training" }).click();
    await page.waitForURL(/\/training\/\d+$/);
    await page.getByTestId("job-outcome").waitFor({ timeout: 180_000 });
    await page.getByTestId("candidate-link").click();
    await page.waitForURL(/\/models\/\d+$/);
    const heading = page.getByTestId("comparison-heading");
    await expect
      .poll(() => heading.textContent(), { timeout: 15_000 })
      .toBe("Version 3 compared with version 1, its parent");
    const chooser = page.getByLabel("Compare with");
    const listed = (await page.request.get(`${app.baseUrl}/api/models`).then((r) => r.json())) as {
      models: { id: number; version: number }[];
    };
    const idOf = (version: number) => String(listed.models.find((m) => m.version === version)!.id);
    const v2Id = idOf(2);
    await chooser.selectOption(v2Id);
    await expect.poll(() => heading.textContent()).toMatch(/^Version 3 compared with version 2, /);
    expect(new URL(page.url()).searchParams.get("with")).toBe(v2Id);
    expect(await page.getByTestId("comparison-basis").textContent()).toBe(
      "Versions 3 and 2 were never scored on the same faces: each figure is on its own faces, so no difference is drawn.",
    );
    const apart = page.getByTestId("score-group").first();
    expect(await apart.getAttribute("data-same-faces")).toBe("false");
    expect(await apart.getByText("not comparable: different faces").count()).toBeGreaterThan(0);
    expect(await apart.getByTestId("significance").count()).toBe(0);
    await page.reload();
    await expect.poll(() => heading.textContent(), { timeout: 15_000 }).toMatch(/^Version 3 compared with version 2, /);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "retrain-flow-16a-compare-chosen.png") });
    await chooser.selectOption(idOf(1));
    await expect.poll(() => heading.textContent()).toBe("Version 3 compared with version 1, its parent");
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "retrain-flow-16b-compare-parent.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
    // The list names the faces of every figure: test-public-like figures never share a column unnamed.
    await page.goto(`${app.baseUrl}/models`);
    await versionRow(3).waitFor();
    const own = versionRow(3).getByTestId("own-score").first();
    expect(await own.getAttribute("data-set")).toBe("held-out slice");
    expect(await own.textContent()).toMatch(/too few faces for this figure to mean much/);

    // A reviewer may read versions and the golden set but change nothing, and has no training page.
    const reviewer = { email: "reviewer@example.test", password: "reviewer-password-1" };
    const adminApi = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
    expect((await adminApi.json("POST", "/api/users", { ...reviewer, role: "REVIEWER" })).status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await context.newPage();
    await signInThroughForm(other, app.baseUrl, "/models", reviewer);
    await other.locator('[data-testid="model-row"][data-version="2"]').waitFor();
    const reviewerNav = other.getByRole("navigation", { name: "Main" });
    expect(await reviewerNav.getByRole("link", { name: "Models", exact: true }).count()).toBe(1);
    expect(await reviewerNav.getByRole("link", { name: "Training", exact: true }).count()).toBe(0);
    expect(await other.getByTestId("versions-table").getByRole("button").count()).toBe(0);
    await other.screenshot({ path: path.join(SCREENSHOT_DIR, "retrain-flow-17-reviewer-models.png"), fullPage: true });
    // The golden set is for admins: its faces are served blind as control faces.
    await other.goto(`${app.baseUrl}/golden`);
    await other.getByRole("heading", { name: "You don’t have access to this page" }).waitFor();
    await other.goto(`${app.baseUrl}/training`);
    await other.getByRole("heading", { name: "You don’t have access to this page" }).waitFor();
    await context.close();
  },
  600_000,
);
