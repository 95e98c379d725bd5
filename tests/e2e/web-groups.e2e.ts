/**
 * Groups with roles, in Chromium, through `npm start`'s code path (relay, admin app, web client):
 * Anne creates an announcement-only group with Basile and Chloé; members see that only
 * administrators post and cannot post; Anne makes Basile an administrator, removes Chloé and lets
 * everyone post; Basile adds Chloé back. Each change is a line on every member's screen, computed
 * from the signed group state (groups.md). The group details and the announcement-only notice are
 * audited with axe-core. Screenshots: test-output/screenshots/web-groups-*.png.
 */
import type { Page } from 'playwright-core';
import { pageWithPasskeys } from './support/admin-browser';
import { createEnrolmentCode, registerFirstAdmin } from './support/admin-console';
import { expectAccessible } from './support/axe';
import {
  chromiumAvailable,
  enrolWebClient,
  launchBrowser,
  openConversation,
  screenshot,
  sendMessage,
  type LaunchedBrowser,
} from './support/browser';
import { failureExplainer } from './support/explained';
import { type RunningSystem, startSystem } from './support/system';
import { closeDialog } from './support/web-sweep';

const PASSPHRASE = 'quartz-meadow-52-lantern';
const STAFF = {
  anne: { address: 'anne.groups@ministry.example', name: 'Anne Roux' },
  basile: { address: 'basile.groups@ministry.example', name: 'Basile Noir' },
  chloe: { address: 'chloe.groups@ministry.example', name: 'Chloé Blanc' },
} as const;
type StaffName = keyof typeof STAFF;
const TITLE = 'Notices from the cabinet';

let system: RunningSystem | undefined;
const browsers: LaunchedBrowser[] = [];
const pages: Partial<Record<StaffName | 'admin', Page>> = {};
const problems: string[] = [];
const explained = failureExplainer({ prefix: 'web-groups', pages: () => pages, system: () => system, problems });

const page = (who: StaffName): Page => {
  const found = pages[who];
  if (!found) throw new Error(`${who} has no page`);
  return found;
};
const line = (on: Page, type: string, text: string | RegExp) =>
  on.locator(`[data-testid="system-line"][data-system-type="${type}"]`).filter({ hasText: text });

async function newPage(): Promise<Page> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const opened = await browser.context.newPage();
  opened.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return opened;
}

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('the web client: an announcement-only group, roles and removal', () => {
  beforeAll(async () => {
    system = await startSystem();
    const adminBrowser = await launchBrowser();
    browsers.push(adminBrowser);
    pages.admin = (await pageWithPasskeys(adminBrowser.context)).page;
  }, 240_000);

  afterAll(async () => {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await system?.stop();
  }, 60_000);

  test(
    'three staff members enrol',
    () =>
      explained(async () => {
        const adminUrl = system?.adminUrl.replace('127.0.0.1', 'localhost') ?? '';
        await registerFirstAdmin(pages.admin as Page, adminUrl, () => system?.output() ?? '');
        for (const who of Object.keys(STAFF) as StaffName[]) {
          const code = await createEnrolmentCode(pages.admin as Page, adminUrl, STAFF[who].address, STAFF[who].name);
          pages[who] = await newPage();
          await enrolWebClient(page(who), system?.webUrl ?? '', {
            passphrase: PASSPHRASE,
            code,
            address: STAFF[who].address,
          });
        }
      }),
    240_000,
  );

  test(
    'Anne creates an announcement-only group: members see who posts and cannot post',
    () =>
      explained(async () => {
        const anne = page('anne');
        await anne.getByTestId('new-group-button').click();
        await anne.getByTestId('new-group-title').fill(TITLE);
        await anne.getByTestId('new-group-addresses').fill(`${STAFF.basile.address}\n${STAFF.chloe.address}`);
        await anne.getByTestId('new-group-announcement').check();
        await anne.getByTestId('new-group-submit').click();
        await anne.getByTestId('conversation-title').filter({ hasText: TITLE }).waitFor({ timeout: 30_000 });
        await sendMessage(anne, 'The office closes at noon on Friday.');

        const basile = page('basile');
        await openConversation(basile, TITLE);
        await basile.getByTestId('announcement-only-notice').waitFor({ timeout: 30_000 });
        expect(await basile.getByTestId('composer-input').count()).toBe(0);
        await basile.getByTestId('message').filter({ hasText: 'closes at noon' }).waitFor({ timeout: 30_000 });
        await expectAccessible(basile, 'web-groups announcement-only notice');
        await basile.getByTestId('group-details-button').click();
        await basile.getByTestId(`admin-badge-${STAFF.anne.address}`).waitFor();
        expect(await basile.getByTestId('group-settings-summary').innerText()).toMatch(/Only administrators post/);
        // A member manages nothing: no role, removal or add control.
        expect(await basile.locator('[data-testid^="remove-member-"]').count()).toBe(0);
        expect(await basile.locator('[data-testid^="toggle-admin-"]').count()).toBe(0);
        expect(await basile.getByTestId('add-member-address').count()).toBe(0);
        await screenshot(basile, 'web-groups-member-details');
        await closeDialog(basile);
      }),
    120_000,
  );

  test(
    'Anne makes Basile an administrator, removes Chloé, lets everyone post; Basile adds Chloé back: each change is a line',
    () =>
      explained(async () => {
        const anne = page('anne');
        const basile = page('basile');
        const chloe = page('chloe');
        await anne.getByTestId('group-details-button').click();
        await expectAccessible(anne, 'web-groups administrator details');
        await screenshot(anne, 'web-groups-admin-details');
        await anne.getByTestId(`toggle-admin-${STAFF.basile.address}`).click();
        await anne.getByTestId(`admin-badge-${STAFF.basile.address}`).waitFor({ timeout: 30_000 });
        await anne.getByTestId(`remove-member-${STAFF.chloe.address}`).click();
        await anne
          .getByTestId('member')
          .filter({ hasText: STAFF.chloe.address })
          .waitFor({ state: 'detached', timeout: 30_000 });
        // A controlled checkbox: it shows the new setting once the signed change is applied.
        await anne.getByTestId('group-setting-announcement').click();
        await anne.locator('[data-testid="group-setting-announcement"]:not(:checked)').waitFor({ timeout: 30_000 });
        await closeDialog(anne);

        // Basile: an administrator now, posting in a group where everyone may post.
        await line(basile, 'role_changed', /You were made an administrator by Anne/).waitFor({ timeout: 30_000 });
        await line(basile, 'member_removed', /chloe.groups@ministry.example was removed by Anne/i).waitFor({
          timeout: 30_000,
        });
        await line(basile, 'group_settings_changed', /everyone posts/).waitFor({ timeout: 30_000 });
        await basile.getByTestId('composer-input').waitFor({ timeout: 30_000 });
        await sendMessage(basile, 'Noted, thanks.');
        await anne.getByTestId('message').filter({ hasText: 'Noted, thanks.' }).waitFor({ timeout: 30_000 });
        await screenshot(basile, 'web-groups-lines');

        // Chloé: told she was removed, read-only, and never given Basile's message.
        await openConversation(chloe, TITLE);
        await chloe.getByTestId('conversation-inactive').waitFor({ timeout: 30_000 });
        await line(chloe, 'member_removed', /You were removed by Anne/).waitFor({ timeout: 30_000 });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect(await chloe.getByTestId('message').filter({ hasText: 'Noted, thanks.' }).count()).toBe(0);

        // Basile, an administrator now, adds Chloé back: she is handed the group as it is now.
        await basile.getByTestId('group-details-button').click();
        await basile.getByTestId('add-member-address').fill(STAFF.chloe.address);
        await basile.getByTestId('add-member-submit').click();
        await basile.getByTestId('member').filter({ hasText: STAFF.chloe.address }).waitFor({ timeout: 30_000 });
        await closeDialog(basile);
        await line(chloe, 'member_added', /You were added by Basile/).waitFor({ timeout: 30_000 });
        await chloe.getByTestId('composer-input').waitFor({ timeout: 30_000 });
        await line(anne, 'member_added', /was added by Basile/).waitFor({ timeout: 30_000 });
        await screenshot(chloe, 'web-groups-added-back');
        expect(problems).toEqual([]);
      }),
    120_000,
  );
});
