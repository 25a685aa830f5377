/** A JSON value, as a ConfigMap's YAML or a Kubernetes object decodes to. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
