import path from 'node:path';
import { ConfigError, loadServerConfig } from '../server-config.mjs';


describe('admin app server configuration', () => {
  it('defaults to loopback and the embedded database under .data/ of the working directory', () => {
    expect(loadServerConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3001,
      databaseUrl: undefined,
      embeddedDatabaseDir: path.resolve('.data', 'admin-db'),
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, and resolves a relative ADMIN_DB_DIR from the working directory', () => {
    expect(loadServerConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', ADMIN_DB_DIR: 'tmp/db' })).toMatchObject({
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/test',
      embeddedDatabaseDir: path.resolve('tmp', 'db'),
    });
  });

  it.each([
    ['ADMIN_PORT', '65536', 'ADMIN_PORT: expected a TCP port number'],
    ['DATABASE_URL', 'mysql://root@localhost/test', 'DATABASE_URL: expected a postgresql:// connection URL'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL: expected a postgresql:// connection URL'],
  ])('refuses a malformed %s (%p) with one line naming it', (name, value, message) => {
    expect(() => loadServerConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadServerConfig({ [name]: value })).toThrow(message);
  });
});
