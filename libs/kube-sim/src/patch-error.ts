/** A patch that cannot be applied; `malformed` patches are 400s, patches that do not fit the object are 422s. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly malformed: boolean,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}
