import type { MessengerErrorCode, MessengerErrorShape } from './api';

/** The one error type the messenger raises towards the UI; `code` is what the UI acts on. */
export class MessengerError extends Error implements MessengerErrorShape {
  constructor(
    readonly code: MessengerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}
