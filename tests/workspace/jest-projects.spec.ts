/**
 * Every project's own jest suite is part of the one run `npm test` makes (jest.config.cjs): a
 * project with a jest.config.cjs that the root list leaves out has its tests never run in CI.
 * The browser and whole-system suite (tests/e2e) is the one exception: scripts/test.mjs runs it
 * on its own, after the others.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const rootConfig = require(path.join(root, 'jest.config.cjs')) as { projects: string[] };

test('the root jest config lists every project that has a jest config, but the e2e suite', () => {
  const withConfig = ['apps', 'libs', 'tests'].flatMap((folder) =>
    readdirSync(path.join(root, folder))
      .filter((name) => existsSync(path.join(root, folder, name, 'jest.config.cjs')))
      .map((name) => `${folder}/${name}`),
  );
  const listed = rootConfig.projects.map((project) => project.replace('<rootDir>/', ''));
  expect(withConfig).toContain('libs/relay-client');
  expect([...listed].sort()).toEqual(withConfig.filter((project) => project !== 'tests/e2e').sort());
});
