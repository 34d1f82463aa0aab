// Browser test (needs Chromium and a production build): consensus in the UI. Two reviewers split on a
// face through the API; an admin decides it on /adjudication with the keyboard alone. The Review
// page's "Not a face" (N) and "Can't tell" (U), Undo after a reload, changing a verdict from History,
// the agreement figures on /reviewers and the Review settings form, each as a user meets them.
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { signIn } from "@/test/support/app-server";
import { expectNoSeriousAxeFindings } from "@/test/support/axe";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { client, expectStatus } from "@/test/support/http";

type Client = ReturnType<typeof client>;
interface SeededFace {
  id: number;
  prediction_id: number;
  label: string;
}

const FACES = 8;
const REVIEWERS = ["ada@example.test", "ben@example.test"] as const;

let admin: Client;
const faces: SeededFace[] = [];
/** The face the two reviewers split on, and the labels they gave. */
let conflict: { face: SeededFace; labels: [string, string] };

/** A 48 × 48 gradient with its own tilt: a distinct face crop per index. */
function crop(i: number): Promise<Buffer> {
  const pixels = Buffer.from(
    Array.from({ length: 48 * 48 }, (_, p) => ((p % 48) * (i + 2) + Math.floor(p / 48) * (7 - (i % 5))) % 256),
  );
  return sharp(pixels, { raw: { width: 48, height: 48, channels: 1 } })
    .png()
    .toBuffer();
}

/** Another of the model's emotions than `label`. */
function other(label: string, step = 1): string {
  const i = EMOTION_LABELS.findIndex((l) => l === label);
  return EMOTION_LABELS[(i + step) % EMOTION_LABELS.length]!;
}

const ui = useBrowserApp(undefined, async (app) => {
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  // Two verdicts per face, no extra reviews and no controls: a face is decided by exactly two reviewers.
  await expectStatus(
    await admin.json("PUT", "/api/settings/review", { verdicts_per_face: 2, extra_review_share: 0, control_share: 0 }),
    200,
    "PUT /api/settings/review",
  );
  const reviewers: Client[] = [];
  for (const email of REVIEWERS) {
    await expectStatus(
      await admin.json("POST", "/api/users", { email, password: "reviewer-password", role: "REVIEWER" }),
      201,
      `creating ${email}`,
    );
    reviewers.push(client(app.baseUrl, { cookie: await signIn(app.baseUrl, email, "reviewer-password") }));
  }
  const [ada, ben] = reviewers as [Client, Client];

  for (let i = 0; i < FACES; i++) {
    const res = await admin.upload(await crop(i), { isFaceCrop: true, filename: `face-${i}.png`, type: "image/png" });
    await expectStatus(res, 201, `uploading face ${i}`);
    const body = (await res.json()) as { faces: SeededFace[] };
    faces.push(body.faces[0]!);
  }

  const verdict = async (who: Client, face: SeededFace, label: string) => {
    const answer =
      label === face.label
        ? { verdict: "correct" }
        : label === "not_a_face"
          ? { verdict: "not_a_face" }
          : { verdict: "incorrect", corrected_label: label };
    await expectStatus(
      await who.json("POST", "/api/reviews", { prediction_id: face.prediction_id, ...answer }),
      201,
      `a verdict on face ${face.id}`,
    );
  };
  // Face 0: a tie (a conflict); face 1: both agree with the model; face 2: both say it is no face.
  const [split, agreed, noFace] = faces as [SeededFace, SeededFace, SeededFace];
  conflict = { face: split, labels: [split.label, other(split.label)] };
  await verdict(ada, split, conflict.labels[0]);
  await verdict(ben, split, conflict.labels[1]);
  await verdict(ada, agreed, agreed.label);
  await verdict(ben, agreed, agreed.label);
  await verdict(ada, noFace, "not_a_face");
  await verdict(ben, noFace, "not_a_face");
});

let db: pg.Client;
/** API answers of 400 and above while a test drives the page: none is expected. */
const failures: string[] = [];

beforeAll(async () => {
  if (!ui.executablePath) return;
  const { app, page } = ui.session();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  page.on("response", (r) => {
    if (r.url().includes("/api/") && r.status() >= 400)
      failures.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
});
afterAll(async () => {
  await db?.end();
});

async function shot(name: string) {
  const { page } = ui.session();
  // From the top: a full-page shot of a scrolled page draws the sticky header where it was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `consensus-${name}.png`), fullPage: true });
}

/** The toast shows one message at a time; wait for this one. */
async function toast(text: string) {
  await ui.session().page.getByTestId("toast").getByText(text, { exact: true }).waitFor({ timeout: 15_000 });
}

async function adminVerdict(predictionId: number) {
  const rows = await db.query<{ id: number; verdict: string; correctedLabel: string | null }>(
    `SELECT r.id, r.verdict, r."correctedLabel" FROM "Review" r JOIN "User" u ON u.id = r."reviewerId"
     WHERE r."predictionId" = $1 AND u.email = $2`,
    [predictionId, ui.session().app.admin.email],
  );
  return rows.rows[0] ?? null;
}

it.skipIf(!ui.executablePath)(
  "an admin decides a conflict with the keyboard alone: a number key picks the label, Enter confirms",
  async () => {
    const { app, page } = ui.session();
    await signInThroughForm(page, app.baseUrl, "/adjudication", app.admin);
    const item = page.getByTestId("adjudication-item");
    await item.waitFor();
    expect(Number(await item.getAttribute("data-face-id"))).toBe(conflict.face.id);
    expect((await page.getByTestId("conflicts-remaining").textContent())?.trim()).toBe("1 conflict waiting");
    // Every verdict is listed, with its reviewer.
    const verdicts = page.getByTestId("adjudication-verdicts");
    for (const email of REVIEWERS) await verdicts.getByText(email).waitFor();
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));

    // The second reviewer's label, by its place among the model's labels.
    const decided = conflict.labels[1];
    await page.keyboard.press(String(EMOTION_LABELS.findIndex((l) => l === decided) + 1));
    await expect.poll(() => page.getByTestId(`label-${decided}`).locator("input").isChecked()).toBe(true);
    await shot("adjudication");
    await expectNoSeriousAxeFindings(page, "adjudication");
    await page.keyboard.press("Enter");

    await page.getByTestId("adjudication-empty").waitFor({ timeout: 15_000 });
    await toast(`Decided: ${decided}`);
    expect((await page.getByTestId("conflicts-remaining").textContent())?.trim()).toBe("No conflicts waiting");
    await shot("adjudication-empty");

    const detail = (await (await admin.get(`/api/faces/${conflict.face.id}`)).json()) as {
      consensus: { state: string; label: string; adjudication: { label: string; by: { email: string } } };
    };
    expect(detail.consensus).toMatchObject({
      state: "adjudicated",
      label: decided,
      adjudication: { label: decided, by: { email: app.admin.email } },
    });
    const audit = await db.query(
      `SELECT a.details, u.email FROM "AuditLog" a JOIN "User" u ON u.id = a."actorId"
       WHERE a.action = 'adjudication.decide' AND a."targetType" = 'face' AND a."targetId" = $1`,
      [String(conflict.face.id)],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ email: app.admin.email, details: { label: decided } });
    expect(failures).toEqual([]);
  },
  600_000,
);

it.skipIf(!ui.executablePath)(
  "on the Review page N stores a not-a-face verdict and U a can't-tell verdict",
  async () => {
    const { app, page } = ui.session();
    await page.goto(`${app.baseUrl}/review`);
    const item = page.getByTestId("review-item");
    await item.waitFor();
    const first = Number(await item.getAttribute("data-prediction-id"));
    await page.keyboard.press("n");
    await toast("Saved: not a face");
    await expect.poll(async () => Number(await item.getAttribute("data-prediction-id"))).not.toBe(first);
    const second = Number(await item.getAttribute("data-prediction-id"));
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    await shot("review");
    await page.keyboard.press("u");
    await toast("Saved: can’t tell");
    await expect.poll(async () => Number(await item.getAttribute("data-prediction-id"))).not.toBe(second);

    expect(await adminVerdict(first)).toMatchObject({ verdict: "NOT_A_FACE", correctedLabel: null });
    expect(await adminVerdict(second)).toMatchObject({ verdict: "UNSURE", correctedLabel: null });
    expect(failures).toEqual([]);
  },
  120_000,
);

it.skipIf(!ui.executablePath)(
  "Undo survives a reload: the last verdict is offered, and undoing it brings its face back on screen",
  async () => {
    const { app, page } = ui.session();
    await page.goto(`${app.baseUrl}/review`);
    const item = page.getByTestId("review-item");
    await item.waitFor();
    const answered = Number(await item.getAttribute("data-prediction-id"));
    await page.keyboard.press("c");
    await toast("Saved: correct");
    await expect.poll(() => adminVerdict(answered)).toMatchObject({ verdict: "CORRECT" });

    await page.reload();
    await item.waitFor();
    const undo = page.getByRole("button", { name: "Undo", exact: true });
    await expect.poll(() => undo.isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.keyboard.press("z");
    await toast("Undone");
    await expect.poll(async () => Number(await item.getAttribute("data-prediction-id"))).toBe(answered);
    expect(await adminVerdict(answered)).toBeNull();
    // The face is theirs again: answering it now is stored like any verdict.
    await page.keyboard.press("c");
    await toast("Saved: correct");
    await expect.poll(() => adminVerdict(answered)).toMatchObject({ verdict: "CORRECT" });
    expect(failures).toEqual([]);
  },
  120_000,
);

it.skipIf(!ui.executablePath)(
  "History: a reviewer changes their own verdict; other reviewers' rows offer no Change",
  async () => {
    const { app, page } = ui.session();
    await page.goto(`${app.baseUrl}/history`);
    const rows = page.getByTestId("history-row");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(6);
    for (const email of REVIEWERS) {
      const theirs = page.locator('[data-testid="history-row"]', { hasText: email });
      expect(await theirs.count()).toBeGreaterThan(0);
      expect(await theirs.getByRole("button", { name: /^Change/ }).count()).toBe(0);
    }

    // The not-a-face verdict given on the Review page becomes "can't tell".
    const row = page.locator('[data-testid="history-row"][data-verdict="not_a_face"]', {
      hasText: app.admin.email,
    });
    const predictionId = Number(await row.getAttribute("data-prediction-id"));
    expect(await row.getByText("Not a face", { exact: true }).count()).toBe(1);
    await row.getByRole("button", { name: /^Change/ }).click();
    const dialog = page.getByTestId("change-dialog");
    await dialog.waitFor();
    await page.keyboard.press("u");
    await expect.poll(() => dialog.getByRole("radio", { name: /Can’t tell/ }).isChecked()).toBe(true);
    await shot("history-change");
    await expectNoSeriousAxeFindings(page, "history, change dialog");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "detached" });
    const changed = page.locator(`[data-testid="history-row"][data-prediction-id="${predictionId}"]`);
    await expect.poll(() => changed.getAttribute("data-verdict")).toBe("unsure");
    await page
      .getByTestId("history-status")
      .getByText(/Changed your verdict/)
      .waitFor();
    expect(await adminVerdict(predictionId)).toMatchObject({ verdict: "UNSURE" });
    expect(failures).toEqual([]);
  },
  120_000,
);

/** As the Reviewers page writes κ and α. */
function coefficient(x: number | null): string {
  if (x === null) return "—";
  const text = Math.abs(x).toFixed(2);
  return x < 0 && text !== "0.00" ? `−${text}` : text;
}

it.skipIf(!ui.executablePath)(
  "/reviewers shows the agreement of the seeded verdicts, sorts by a column and shows a reviewer's matrix",
  async () => {
    const { app, page } = ui.session();
    const summary = (await (await admin.get("/api/agreement")).json()) as {
      overall: {
        faces: number;
        percent_agreement: number;
        fleiss_kappa: number | null;
        krippendorff_alpha: number | null;
      };
      faces: Record<string, number>;
    };
    // Three faces with two verdicts each: one split, two agreed.
    expect(summary.overall.faces).toBe(3);
    expect(summary.overall.percent_agreement).toBeCloseTo(2 / 3, 6);
    expect(summary.faces).toMatchObject({ conflict: 0, adjudicated: 1, agreed: 2, not_a_face: 1 });

    await page.goto(`${app.baseUrl}/reviewers`);
    await page.getByTestId("overall-agreement").waitFor();
    expect((await page.getByTestId("percent-agreement").textContent())?.trim()).toBe("66.7%");
    expect((await page.getByTestId("fleiss-kappa").textContent())?.trim()).toBe(
      coefficient(summary.overall.fleiss_kappa),
    );
    expect((await page.getByTestId("krippendorff-alpha").textContent())?.trim()).toBe(
      coefficient(summary.overall.krippendorff_alpha),
    );
    expect(await page.getByTestId("overall-faces").textContent()).toContain("Over 3 faces with ≥ 2 verdicts");
    expect((await page.getByTestId("faces-adjudicated").textContent())?.trim()).toBe("1");
    expect((await page.getByTestId("faces-not-a-face").textContent())?.trim()).toBe("1");

    // Ada agreed with Ben on two faces of three.
    const ada = page.locator('[data-testid="reviewer-row"][data-reviewer="ada@example.test"]');
    expect((await ada.getByTestId("reviewer-agreement").textContent())?.replace(/\s+/g, " ").trim()).toBe("66.7%of 3");

    // Sorting from the keyboard: the Reviewer heading's button, Enter, sorts by e-mail.
    const table = page.getByTestId("reviewers-table");
    const header = table.getByRole("columnheader", { name: "Reviewer" });
    await header.getByRole("button").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
    const order = await page.getByTestId("reviewer-row").evaluateAll((rs) => rs.map((r) => r.dataset.reviewer));
    expect(order).toEqual([...order].sort());
    await page.keyboard.press("Enter");
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");

    await ada.getByRole("button", { name: "ada@example.test" }).click();
    const matrix = page.getByTestId("reviewer-matrix");
    await matrix.getByRole("heading", { name: "ada@example.test against the others" }).waitFor();
    expect(await matrix.getByTestId("confusion-counts").count()).toBe(1);
    await shot("reviewers");
    await expectNoSeriousAxeFindings(page, "reviewers");
    expect(failures).toEqual([]);
  },
  120_000,
);

it.skipIf(!ui.executablePath)(
  "Review settings: shows the settings, refuses a value out of range, and says how many open faces a change reached",
  async () => {
    const { page } = ui.session();
    // The admin area has one nav entry; its tabs lead to the review settings.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin", exact: true }).click();
    await page.waitForURL(/\/admin\/users$/);
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Review settings" }).click();
    await page.waitForURL(/\/admin\/review-settings$/);
    const perFace = page.getByLabel("Verdicts per face");
    await perFace.waitFor();
    expect(await perFace.inputValue()).toBe("2");
    expect(await page.getByLabel("Extra-review share").inputValue()).toBe("0");
    expect(await page.getByLabel("Control share").inputValue()).toBe("0");
    expect(await page.getByLabel("Minimum control accuracy").isDisabled()).toBe(true);

    // Out of range: the shared schema refuses it in the browser; nothing is sent.
    await perFace.fill("9");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Must be at most 5").waitFor();
    expect(await perFace.getAttribute("aria-invalid")).toBe("true");

    const open = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "FaceState" WHERE "state" = 'OPEN' AND NOT "secondLook"`,
    );
    expect(open.rows[0]!.n).toBeGreaterThan(0);
    await perFace.fill("3");
    await page.getByLabel("Flag reviewers whose control accuracy is low").check();
    await page.getByLabel("Minimum control accuracy").fill("0.75");
    await page.getByRole("button", { name: "Save settings" }).click();
    const saved = page.getByTestId("settings-saved");
    await saved
      .getByText(`Saved; applied to ${open.rows[0]!.n} open face${open.rows[0]!.n === 1 ? "" : "s"}.`)
      .waitFor();
    await shot("review-settings");
    await expectNoSeriousAxeFindings(page, "review settings");

    const stored = (await (await admin.get("/api/settings/review")).json()) as { settings: Record<string, unknown> };
    expect(stored.settings).toMatchObject({
      verdicts_per_face: 3,
      extra_review_share: 0,
      control_share: 0,
      control_min_accuracy: 0.75,
    });
    expect(failures).toEqual([]);
  },
  120_000,
);
