// What the admin app's server commands share: an error is one line naming what to do (never a
// stack or a driver's multi-line message, which may carry query values), and `main`'s number is
// the exit code (0 done, 1 failed, 2 usage).

/** Errors whose message is already written for the person running the command. */
const PLAIN_ERRORS = new Set(['ConfigError', 'ResetLinkError']);

const flatten = (text: string) => text.replace(/\s*\n\s*/g, ' ');

export function errorLine(error: unknown): string {
  if (error instanceof Error && error.name === 'EmbeddedDatabaseInUseError')
    return `stop the admin app first: ${flatten(error.message)}`;
  if (error instanceof Error && PLAIN_ERRORS.has(error.name)) return flatten(error.message);
  if (error instanceof Error && (error as { code?: unknown }).code === 'P2021') {
    return 'the admin database has no tables yet: start the admin app once (or run npm run db:migrate:deploy), then run this again';
  }
  return `failed: ${flatten(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`;
}

/** Runs `main` with the command's arguments; anything it throws is one line on stderr and exit 1. */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`${name}: ${errorLine(error)}`);
      process.exitCode = 1;
    },
  );
}
