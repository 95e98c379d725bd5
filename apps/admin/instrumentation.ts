// Runs once when the admin app's server starts (Next.js instrumentation hook): makes the
// organisation and its first key if this is the first start, prints a one-time setup link
// while no administrator exists, tells the relays the current revocation list, and starts the
// housekeeping timer.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startAdminApp } = await import('./src/server/startup');
  await startAdminApp();
}
