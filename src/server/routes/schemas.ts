/** JSON schemas of the API's inputs: a request that does not fit is answered 400 before any handler runs. */

/** DNS-1123 label, as Kubernetes names applications and namespaces. */
export const APP_NAME = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 } as const;
/** DNS-1123 subdomain: pod names carry the revision hash and an ordinal or suffix. */
export const POD_NAME = { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", maxLength: 253 } as const;
/** A revision id (`3`) or a commit SHA or its prefix (`abc1234`). */
export const REVISION_REF = { type: "string", pattern: "^([1-9][0-9]{0,8}|[0-9a-f]{4,40})$" } as const;

export const appParams = {
  type: "object",
  required: ["name"],
  properties: { name: APP_NAME },
  additionalProperties: false,
} as const;

export const podParams = {
  type: "object",
  required: ["name", "pod"],
  properties: { name: APP_NAME, pod: POD_NAME },
  additionalProperties: false,
} as const;

export const historyQuery = {
  type: "object",
  properties: { limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 } },
  additionalProperties: false,
} as const;

export const eventsQuery = {
  type: "object",
  properties: {
    since: { type: "string", format: "date-time" },
    limit: { type: "integer", minimum: 1, maximum: 10000, default: 200 },
  },
  additionalProperties: false,
} as const;

export const diffQuery = {
  type: "object",
  properties: { revision: { type: "integer", minimum: 1, maximum: 999999999 } },
  additionalProperties: false,
} as const;

export const logsQuery = {
  type: "object",
  properties: { tail: { type: "integer", minimum: 1, maximum: 10000, default: 200 } },
  additionalProperties: false,
} as const;

export const rollbackBody = {
  type: ["object", "null"],
  properties: { revision: REVISION_REF },
  additionalProperties: false,
} as const;

export const deleteBody = {
  type: ["object", "null"],
  properties: { volumes: { type: "boolean" } },
  additionalProperties: false,
} as const;
