// Registration for a surface whose document promises that a registered address is refused (Bookings'
// Django REST serializer: 400 "user with this email already exists."). The account opens no session:
// with a password it is stored unverified and a verification code (and link) is mailed; without one it
// is password-less and a set-password code is mailed (passwordless-registration.ts), which its owner
// redeems through the reset flow. A registered address, verified or not, answers email_taken and
// nothing of it is replaced: its owner proves the address through a password reset instead.

import { type Result, succeed } from "../errors";
import type { ProfileChanges } from "../storage/user-store";
import type { ServiceContext } from "./context";
import { mailVerificationCode } from "./email-verification-service";
import { issueOneTimeCode } from "./one-time-codes";
import { registerWithoutPassword } from "./passwordless-registration";
import { signUpUnverified } from "./signup-service";

export interface DisclosedRegistrationInput {
  email: string;
  /** Absent: a password-less account, which signs in once its owner has set one by a mailed code. */
  password?: string;
  profile: ProfileChanges;
}

export async function registerDisclosingTakenAddress(
  context: ServiceContext,
  input: DisclosedRegistrationInput,
): Promise<Result<{ userId: string }>> {
  const { email, password, profile } = input;
  if (password === undefined) {
    const registered = await registerWithoutPassword(context, { email, profile }, { revealTakenAddress: true });
    if (!registered.ok) return registered;
    return succeed({ userId: registered.value.userId ?? "" });
  }
  const stored = await signUpUnverified(context, { email, password, profile });
  if (!stored.ok) return stored;
  const user = stored.value;
  // A separate write from the account's: it is kept when mail fails, and a reset request reaches it later.
  const issued = await issueOneTimeCode(context, { userId: user.id, purpose: "verify_email", target: user.email });
  const sent = await mailVerificationCode(context, user.email, issued);
  return sent.ok ? succeed({ userId: user.id }) : sent;
}
