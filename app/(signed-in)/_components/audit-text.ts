import type { AuditAction } from "@/lib/audit/actions";

/** What each audit action did, as people read it; a page adds what it knows from the row's details. */
export const auditActionText: Record<AuditAction, string> = {
  "auth.sign-in": "Signed in",
  "auth.sign-in-failed": "Sign-in failed",
  "auth.lockout": "Sign-in locked after too many wrong passwords",
  "auth.sign-out": "Signed out",
  "token.create": "API token created",
  "token.revoke": "API token revoked",
  "user.bootstrap-admin": "First admin created at start-up",
  "user.create": "User created",
  "user.disable": "User disabled",
  "user.enable": "User enabled again",
  "user.role-change": "Role changed",
  "review.change": "Verdict changed",
  "review.undo": "Verdict undone",
  "golden.add": "Added to the golden set",
  "golden.remove": "Removed from the golden set",
  "faces.requeue": "Sent back to the review queue",
  "faces.exclude": "Excluded from training",
  "faces.include": "Included in training again",
  "adjudication.decide": "Adjudicated",
  "settings.review.update": "Review settings changed",
  "training.request": "Retrain requested",
  "training.cancel": "Retrain cancelled",
  "model.register": "Registered",
  "model.activate": "Activated",
  "model.rollback": "Rolled back to this version",
  "model.auto-promote": "Promoted automatically by the training gate",
  "model.archive": "Stopped serving",
  "feedback.import": "Verdicts imported",
  "feedback.import-row": "Verdict imported",
  "import.create": "Bulk import started",
  "import.complete": "Bulk import finished",
  "video.upload": "Video uploaded",
  "video.cancel": "Video analysis cancelled",
  "video.review": "Video frames sent to review",
};

function isKnown(action: string): action is AuditAction {
  return Object.hasOwn(auditActionText, action);
}

/**
 * The sentence for an audit action. Rows written by an older or newer release may name an action
 * this one does not know: it is still put in words ("model.retire" → "Model retire"), never shown as a code.
 */
export function auditActionSentence(action: string): string {
  if (isKnown(action)) return auditActionText[action];
  const words = action.replace(/[._-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Recorded change";
}
