// Storage faults on demand: a SQLite trigger makes every matching statement on a table fail the way
// a D1 storage error does, until it is dropped. Test files call `dropAllFaults` after each test.
import { env } from "cloudflare:workers";

const triggers: string[] = [];

/** Makes every `when` statement on `table` fail like a storage error, until the trigger is dropped. */
export async function injectFault(name: string, when: string, table: string): Promise<void> {
  await env.DB.exec(`CREATE TRIGGER ${name} ${when} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END;`);
  triggers.push(name);
}

export async function dropFault(name: string): Promise<void> {
  await env.DB.exec(`DROP TRIGGER IF EXISTS ${name};`);
  triggers.splice(triggers.indexOf(name), 1);
}

export async function dropAllFaults(): Promise<void> {
  for (const name of [...triggers]) await dropFault(name);
}
