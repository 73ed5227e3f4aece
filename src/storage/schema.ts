// The D1 schema as code, one file per concept, gathered here: drizzle-kit generates the SQL in
// migrations/ from this module (drizzle.config.ts), and storage code imports tables from it.
// docs/storage.md explains each table. Times are Unix seconds.

export * from "./schema-accounts";
export * from "./schema-flows";
export * from "./schema-keys-events";
export * from "./schema-orgs";
