/** Titles say where one is (WCAG 2.4.2), in the chosen language, and never carry private text. */
import { translate, type Language, type MessageKey, type MessageParams } from '../../src/i18n';
import { pageTitle, type TitledScreen } from '../../src/ui/page-title';

const t = (language: Language) => (key: MessageKey, params?: MessageParams) => translate(language, key, params);
const SCREENS: readonly TitledScreen[] = [
  'loading',
  'unsupported',
  'other-tab',
  'failed',
  'wiped',
  'create-passphrase',
  'unlock',
  'enrol',
  'main',
];

describe('page titles', () => {
  it('name the screen, then the app', () => {
    expect(pageTitle('main', 0, t('en'))).toBe('Messages — OpenDescent');
    expect(pageTitle('unlock', 0, t('en'))).toBe('Unlock — OpenDescent');
    expect(pageTitle('unlock', 0, t('fr'))).toBe('Déverrouiller — OpenDescent');
  });

  it('differ from screen to screen, in each language', () => {
    for (const language of ['en', 'fr'] as const) {
      const titles = SCREENS.map((screen) => pageTitle(screen, 0, t(language)));
      expect(new Set(titles).size).toBe(SCREENS.length);
    }
  });

  it('count unread messages in front, formatted for the language', () => {
    expect(pageTitle('main', 3, t('en'))).toBe('(3) Messages — OpenDescent');
    expect(pageTitle('main', 1_200, t('fr'))).toMatch(/^\(1\s200\) Messages — OpenDescent$/);
  });

  it('are built from the screen alone: no conversation, group or person can reach them', () => {
    // The only inputs are a screen name and a number; this guards the signature against a "title" parameter.
    expect(pageTitle.length).toBe(3);
    for (const screen of SCREENS)
      expect(pageTitle(screen, 2, t('en'))).toMatch(/^\(2\) [A-Z][A-Za-z ]+ — OpenDescent$/);
  });
});
