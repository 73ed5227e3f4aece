// The mounted dialects' part of /openapi.json: each one's operations at its mounted paths, under a
// tag of its own name, with the request and response shapes of its document.

import * as z from "zod";
import type { DialectMount } from "../config";
import type { DialectOperation } from "./dialect";
import { dialectOf } from "./index";

const MEDIA_TYPES = { json: "application/json", form: "application/x-www-form-urlencoded" } as const;

const schemaOf = (schema: z.ZodType) => {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    // zod's option (not TypeScript's any): a type JSON Schema cannot state becomes `{}` instead of a throw.
    unrepresentable: "any",
  });
  return json;
};

function operationObject(tag: string, operation: DialectOperation) {
  const schema = operation.body && schemaOf(operation.body);
  const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const headerParameters = Object.entries(operation.headers ?? {}).map(([name, description]) => ({
    name,
    in: "header",
    description,
    schema: { type: "string" },
  }));
  return {
    tags: [tag],
    summary: operation.summary,
    ...(operation.bearer ? { security: [{ bearerAuth: [] }] } : {}),
    ...(pathParameters.length + headerParameters.length > 0
      ? { parameters: [...pathParameters, ...headerParameters] }
      : {}),
    ...(schema
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              (operation.bodyTypes ?? ["json", "form"]).map((type) => [MEDIA_TYPES[type], { schema }]),
            ),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, answer]) => [
        status,
        { description: answer.description, content: { "application/json": { schema: schemaOf(answer.schema) } } },
      ]),
    ),
  };
}

/** The paths and tags the mounted dialects add to the OpenAPI document. */
export function dialectDocument(mounts: readonly DialectMount[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { name, prefix } of mounts) {
    for (const operation of dialectOf(name).operations) {
      const path = `${prefix}${operation.path}`;
      paths[path] = { ...paths[path], [operation.method]: operationObject(name, operation) };
    }
  }
  const tags = mounts.map(({ name }) => ({ name, description: `The ${name} dialect (docs/dialects.md).` }));
  return { paths, tags };
}
