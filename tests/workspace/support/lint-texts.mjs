// Lints source texts as if they were files of the workspace and prints, per text, the rules that
// fired. Runs in its own Node process because Jest's module sandbox cannot load ESLint's ESM
// flat config. Input (stdin): [{ file, code }]; output (stdout): [[ruleId, ...], ...].
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../../..');
const cases = JSON.parse(await new Response(process.stdin).text());
const eslint = new ESLint({ cwd: root });
const fired = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  fired.push((result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`));
}
process.stdout.write(JSON.stringify(fired));
