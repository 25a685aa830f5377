import type { KubeObject, StoredObject } from './kube-object.js';

const jsonOfStored = new WeakMap<StoredObject, string>();

/** The object as a client of `apiVersion` sees it (versions of one resource share a schema here). */
export function presentObject(object: KubeObject, apiVersion: string): KubeObject {
  return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
}

/**
 * The JSON text of a stored object as a client of `apiVersion` reads it. Stored objects never change, so the text
 * is written once and shared by the answer to the write and the events of every watch that sees it.
 */
export function presentedJson(object: StoredObject, apiVersion: string): string {
  if (object.apiVersion !== apiVersion) return JSON.stringify(presentObject(object, apiVersion));
  let text = jsonOfStored.get(object);
  if (text === undefined) {
    text = JSON.stringify(object);
    jsonOfStored.set(object, text);
  }
  return text;
}
