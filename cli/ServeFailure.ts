/**
 * A server process could not go on for a reason its user can act on (a port taken): `jobhooks
 * ROLE: MESSAGE` on stderr, one line and no stack, and exit code 1.
 */
export class ServeFailure extends Error {
  constructor(
    readonly role: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
