// The JSON string lists stored in D1 (a session's amr, a challenge's methods), read leniently: a row
// that holds anything but an array of strings reads as the strings it has, never as an error.

export function parseStringList(json: string | null | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(json ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}
