// The admin app's one database handle per process. The embedded database may be open only once
// per process, so the handle lives on globalThis (it survives Next.js module reloads) and is
// opened on first use; scripts/serve-next.mjs closes it on shutdown through the hook registered here.
import { databaseConfig, loadServerConfig } from '../../../server-config.mjs';
import { openDatabase, type AdminDatabase } from './index';

interface ProcessState {
  adminDatabase?: Promise<AdminDatabase>;
  /** Called by scripts/serve-next.mjs before the process exits. */
  __opendescentShutdownHooks?: Array<() => Promise<void>>;
}

const state = globalThis as typeof globalThis & ProcessState;

export function adminDatabase(): Promise<AdminDatabase> {
  if (!state.adminDatabase) {
    const opening = openDatabase(databaseConfig(loadServerConfig(process.env)));
    state.adminDatabase = opening;
    opening.catch(() => {
      // A failed open is retried on the next request rather than cached.
      if (state.adminDatabase === opening) delete state.adminDatabase;
    });
    (state.__opendescentShutdownHooks ??= []).push(async () => {
      if (state.adminDatabase === opening) await (await opening).close();
    });
  }
  return state.adminDatabase;
}
