// Password policy (NIST SP 800-63B §3.1.1.2): length bounds in code points after NFKC, and no
// password from the most common lists; no composition rules, which only make passwords worse.

import type { Config } from "../config";
import type { FieldIssue } from "../errors";
import { COMMON_PASSWORDS } from "./common-passwords";

export function checkPasswordPolicy(
  password: string,
  config: Pick<Config, "passwordMinLength" | "passwordMaxLength">,
  field = "password",
): FieldIssue | null {
  const length = [...password.normalize("NFKC")].length;
  if (length < config.passwordMinLength) {
    return { field, message: `must be at least ${config.passwordMinLength} characters` };
  }
  if (length > config.passwordMaxLength) {
    return { field, message: `must be at most ${config.passwordMaxLength} characters` };
  }
  if (COMMON_PASSWORDS.has(password.normalize("NFKC").toLowerCase())) {
    return { field, message: "is too common; choose another" };
  }
  return null;
}
