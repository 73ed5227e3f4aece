// Reading the config as the Worker does, from the test env with some variables changed, and the
// refusal it throws for a bad one (its message names variables, never their values).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { type Config, ConfigError, parseConfig } from "../../src/config";

export const configWith = (changes: Record<string, unknown>): Config => parseConfig({ ...env, ...changes });

export function refusalOf(changes: Record<string, unknown>): string {
  try {
    configWith(changes);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(changes)}`);
}
