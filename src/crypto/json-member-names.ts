// Finds JSON objects that name a member twice. RFC 7515 §5.2 and RFC 7519 §4 let a JWT parser
// either refuse duplicate names or keep the last one; we refuse, since we never write them and a
// token that two parsers (ours "last wins", someone's "first wins") read differently must mean nothing.

/** True when any object in `text` repeats a member name (compared after unescaping). `text` must be valid JSON. */
export function hasDuplicateMemberNames(text: string): boolean {
  // One entry per open container: the names seen so far in an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectingName = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (expectingName) {
        const names = open.at(-1);
        // Only a name with an escape needs JSON's reading; any other is its own raw text.
        const raw = text.slice(index + 1, end);
        const name = raw.includes("\\") ? (JSON.parse(text.slice(index, end + 1)) as string) : raw;
        if (names?.has(name)) return true;
        names?.add(name);
        expectingName = false;
      }
      index = end;
    } else if (char === "{") {
      open.push(new Set());
      expectingName = true;
    } else if (char === "[") {
      open.push(null);
    } else if (char === "}" || char === "]") {
      open.pop();
    } else if (char === ",") {
      expectingName = open.at(-1) instanceof Set;
    }
  }
  return false;
}
