/**
 * Directory alerts in the console (docs/protocol/admin-api.md §8.3): the banner the layout puts on
 * every page and the member page's panel, rendered on the server as Next.js would (the request's
 * language comes from a mocked next/headers).
 */
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DirectoryAlertBanner, DirectoryMemberPanel } from '../../src/ui/directory-alerts';
import { SLOW, startTestApp, type TestApp } from '../support/test-services';

let language = 'en';
jest.mock('next/headers', () => ({
  cookies: async () => ({ get: () => undefined }),
  headers: async () => new Headers({ 'accept-language': language }),
}));
jest.mock('next/navigation', () => ({ useRouter: () => ({ refresh: () => undefined }) }));

describe('directory alerts in the console', () => {
  let app: TestApp;
  let memberId: string;

  beforeAll(async () => {
    app = await startTestApp();
    const prisma = app.database.prisma;
    const member = await prisma.member.create({
      data: {
        address: 'scraper@example.org',
        addressSkeleton: 'scraper@example.org',
        displayName: 'Sam Scraper',
        directorySuspendedAt: app.services.now(),
      },
    });
    memberId = member.id;
    const at = app.services.now();
    await prisma.directoryAlert.create({
      data: { memberId, scope: 'member', level: 'suspended', openedAt: at, lastHitAt: at, hits: 3 },
    });
    await prisma.directoryAlert.create({
      data: { memberId: null, scope: 'organisation', level: 'limit', openedAt: at, lastHitAt: at, hits: 7 },
    });
  }, SLOW);

  afterAll(async () => {
    await app?.close();
  }, SLOW);

  const render = async (component: Promise<ReactElement | null>) =>
    renderToStaticMarkup((await component) as ReactElement);

  test('every console page shows the open alerts, linking to the member', async () => {
    language = 'en';
    const html = await render(DirectoryAlertBanner({ csrf: 'token' }));
    expect(html).toContain('Directory alerts');
    expect(html).toContain('Sam Scraper (scraper@example.org): directory access suspended');
    expect(html).toContain(`href="/members/${memberId}"`);
    expect(html).toContain('The organisation-wide directory ceiling was reached');
    expect(html).toContain('7 look-ups refused');
  });

  test('the banner offers to acknowledge an organisation-wide alert, which has no member page', async () => {
    language = 'en';
    const html = await render(DirectoryAlertBanner({ csrf: 'token' }));
    const items = html.split('<li').slice(1);
    const organisation = items.find((item) => item.includes('organisation-wide')) ?? '';
    const member = items.find((item) => item.includes('Sam Scraper')) ?? '';
    expect(organisation).toContain('data-testid="directory-acknowledge-organisation"');
    expect(organisation).toContain('>Acknowledge</button>');
    // A member's alert is acknowledged on their page, where the reason to resume them is.
    expect(member).not.toContain('directory-acknowledge');
  });

  test('the member page offers Resume and Acknowledge, in French too', async () => {
    language = 'fr';
    const html = await render(DirectoryMemberPanel({ memberId, csrf: 'token' }));
    expect(html).toContain('Accès à l’annuaire suspendu depuis le');
    expect(html).toContain('Rétablir l’accès à l’annuaire');
    expect(html).toContain('Marquer comme vue');
    expect(html).not.toContain('organisation-wide');
  });

  test('nothing is shown once every alert is acknowledged and no member is suspended', async () => {
    language = 'en';
    await app.database.prisma.directoryAlert.updateMany({
      data: { acknowledgedAt: app.services.now(), acknowledgedBy: 'admin:test' },
    });
    await app.database.prisma.member.update({ where: { id: memberId }, data: { directorySuspendedAt: null } });
    expect(await DirectoryAlertBanner({ csrf: 'token' })).toBeNull();
    expect(await DirectoryMemberPanel({ memberId, csrf: 'token' })).toBeNull();
  });
});
