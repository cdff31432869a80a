/**
 * An error whose message is written for the member and is safe to show them.
 * Anything else that reaches the interaction handler is internal: it is logged
 * with context, and the member sees only a short generic message.
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
  constructor(
    message: string,
    /** Answer ephemerally (only the member sees it) instead of in the public reply. */
    readonly ephemeral = false,
  ) {
    super(message);
  }
}
