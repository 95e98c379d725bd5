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

export async function pageWithPasskeys(context: BrowserContext): Promise<PasskeyPage> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    page,
    cdp,
    authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}
