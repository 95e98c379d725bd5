/**
 * An administrator's browser: Chromium with its virtual WebAuthn authenticator (CDP), so that a
 * test can register and use a passkey with no hardware (../shared/ENVIRONMENT.md).
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

export interface PasskeyPage {
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  /** The passkeys the virtual authenticator holds. */
  credentials(): Promise<{ credentialId: string; rpId?: string; isResidentCredential: boolean; signCount: number }[]>;
}

export interface PasskeyPageOptions {
  /**
   * An authenticator with the PRF extension (CTAP 2.1 hmac-secret), for the web client's passkey
   * unlock. Off by default: the admin app's passkeys need no PRF.
   */
  readonly prf?: boolean;
}

export async function pageWithPasskeys(
  context: BrowserContext,
  options: PasskeyPageOptions = {},
): Promise<PasskeyPage> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const base = {
    protocol: 'ctap2',
    transport: 'internal',
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
  } as const;
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: options.prf ? { ...base, ctap2Version: 'ctap2_1', hasPrf: true } : base,
  });
  return {
    page,
    cdp,
    authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}
