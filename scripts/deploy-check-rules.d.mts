// Types of deploy-check-rules.mjs, so the TypeScript tests import it without @ts-expect-error.

export interface DeployConfig {
  vars?: Record<string, unknown>;
  d1_databases?: { binding?: string; database_name?: string; database_id?: string }[];
  kv_namespaces?: { binding?: string; id?: string }[];
}

export const REQUIRED_SECRETS: string[];
export const SECRET_NAMES: string[];
export function isLocalHostname(hostname: string): boolean;
export function deployProblems(config: DeployConfig, secretNames: Iterable<string> | null): string[];
