export function presentUser(u: {
  id: number;
  email: string;
  name: string | null;
  role: "REVIEWER" | "ADMIN";
  disabledAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled_at: u.disabledAt?.toISOString() ?? null,
    created_at: u.createdAt.toISOString(),
  };
}
