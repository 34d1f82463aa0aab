/**
 * Every action the audit log records, named once: `audit()` takes only these, and the pages that
 * show audit rows to people keep a sentence for each (app/(signed-in)/_components/audit-text.ts).
 */
export const AUDIT_ACTIONS = [
  "auth.sign-in",
  "auth.sign-in-failed",
  "auth.lockout",
  "auth.sign-out",
  "token.create",
  "token.revoke",
  "user.bootstrap-admin",
  "user.create",
  "user.disable",
  "user.enable",
  "user.role-change",
  "review.change",
  "review.undo",
  "golden.add",
  "golden.remove",
  "faces.requeue",
  "faces.exclude",
  "faces.include",
  "adjudication.decide",
  "settings.review.update",
  "training.request",
  "training.cancel",
  "model.register",
  "model.activate",
  "model.rollback",
  "model.auto-promote",
  "model.archive",
  "feedback.import",
  "feedback.import-row",
  "import.create",
  "import.complete",
  "video.upload",
  "video.cancel",
  "video.review",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
