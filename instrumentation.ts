// Runs once when the Next.js server starts: loads the compute backend, the face detector and the
// active model in the background so the first upload does not wait for them.
export async function register() {
  // NEXT_RUNTIME is Next.js's own marker of the runtime loading this file, not a setting.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { warmUp } = await import("@/lib/health/warm-up");
  void warmUp();
}
