import { z } from "zod";

export const loginSchema = z.object({
  email: z.string().trim().email("Enter an e-mail address"),
  password: z.string().min(1, "Enter your password"),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const createUserSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter an e-mail address"),
  name: z.string().trim().max(100).optional(),
  password: z.string().min(8, "At least 8 characters").max(200),
  role: z.enum(["REVIEWER", "ADMIN"]),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z.object({
  disabled: z.boolean().optional(),
  role: z.enum(["REVIEWER", "ADMIN"]).optional(),
});

export const createTokenSchema = z.object({
  name: z.string().trim().min(1, "Name the token").max(100),
  /** Days until the token is refused; left out, it never expires. */
  expires_in_days: z
    .number("Enter a number of days")
    .int("Whole days only")
    .min(1, "Between 1 and 365 days")
    .max(365, "Between 1 and 365 days")
    .optional(),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;
