// What a MAIL_FROM value may be: `a@b` or `Name <a@b>`, one line. Config refuses anything else, and
// adapters whose provider wants the parts (SendGrid) split it the same way.

export interface Mailbox {
  email: string;
  name?: string;
}

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
const NAMED_ADDRESS = /^([^<>\r\n]*?)\s*<([^<>\s]+)>$/;
// Control characters would let a value break out of a header or a subject line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Splits `Name <a@b>` or `a@b` into its parts; null when it is neither. */
export function parseMailbox(value: string): Mailbox | null {
  if (value.length > 320 || CONTROL_CHARACTERS.test(value)) return null;
  const named = NAMED_ADDRESS.exec(value.trim());
  if (named) {
    const [, rawName = "", email = ""] = named;
    const name = rawName.trim().replace(/^"(.*)"$/, "$1");
    if (!ADDRESS.test(email)) return null;
    return name ? { email, name } : { email };
  }
  return ADDRESS.test(value.trim()) ? { email: value.trim() } : null;
}
