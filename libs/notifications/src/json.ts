/** A JSON value, as a ConfigMap's YAML or a Kubernetes object decodes to. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Typed documents as the JSON templates read (what JSON.stringify would write). */
export function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
