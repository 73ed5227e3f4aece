// Escapes text for HTML element content and quoted attribute values. Every value that goes into mail
// HTML or the dev outbox page passes through here: addresses and names can carry markup.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/** A link is only made clickable when it is http(s); anything else (javascript:, data:) stays text. */
export function isWebLink(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}
