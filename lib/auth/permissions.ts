/** Roles mapped to what they may do: the one table every server check reads. */
export const permissions = [
  "predictions:create",
  "faces:read",
  "review:work",
  "history:read",
  "tokens:manage-own",
  "users:manage",
  /** Model versions, their files (the live view predicts with them) and the face detector's weights. */
  "models:read",
  "models:manage",
  "training:manage",
  "export:read",
  /** Review settings (overlap, controls). */
  "settings:manage",
  /** Agreement figures and reviewer quality. */
  "agreement:read",
  /** Deciding faces whose verdicts conflict. */
  "adjudication:work",
  /** The dashboard's figures: the queue, verdicts per day (a reviewer's own), labels, golden-set accuracy. */
  "stats:read",
] as const;

export type Permission = (typeof permissions)[number];
export type RoleName = "REVIEWER" | "ADMIN";

const reviewer: Permission[] = [
  "predictions:create",
  "faces:read",
  "review:work",
  "history:read",
  "tokens:manage-own",
  "models:read",
  "stats:read",
];

export const rolePermissions: Record<RoleName, ReadonlySet<Permission>> = {
  REVIEWER: new Set(reviewer),
  ADMIN: new Set(permissions),
};

export function roleCan(role: RoleName, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}
