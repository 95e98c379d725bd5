/**
 * Mentions in the composer (mention-input.ts): finding the `@query` at the caret, the members
 * offered, writing `@Display Name `, the keys of the list, which mentions go with the message, and
 * how a received message's mentions are cut out to be marked.
 */
import {
  findMentionQuery,
  insertMention,
  MAX_MENTION_CHOICES,
  mentionChoices,
  mentionKeyAction,
  mentionSegments,
  mentionsInText,
  openMentionList,
  type Mentionable,
} from '../../src/ui/main/mention-input';

const alex: Mentionable = { address: 'alex@example.org', displayName: 'Alex Martin' };
const ana: Mentionable = { address: 'ana@example.org', displayName: 'Ana' };
const anaLopez: Mentionable = { address: 'ana.lopez@example.org', displayName: 'Ana Lopez' };
const elodie: Mentionable = { address: 'elodie@example.org', displayName: 'Élodie Blanc' };
const sam: Mentionable = { address: 'sam@example.org', displayName: 'Sam Dubois' };
const members = [alex, ana, anaLopez, elodie, sam];

describe('findMentionQuery', () => {
  it('finds an @ at the start of the text, with what follows up to the caret', () => {
    expect(findMentionQuery('@al', 3)).toEqual({ start: 0, query: 'al' });
  });

  it('finds an @ after a space or punctuation, and an empty query right after the @', () => {
    expect(findMentionQuery('Hello @', 7)).toEqual({ start: 6, query: '' });
    expect(findMentionQuery('(cc @sa', 7)).toEqual({ start: 4, query: 'sa' });
  });

  it('follows a query with a space in it, as names have', () => {
    expect(findMentionQuery('hi @Alex Ma', 11)).toEqual({ start: 3, query: 'Alex Ma' });
  });

  it('ignores the @ of an e-mail address', () => {
    expect(findMentionQuery('write to kim@example', 20)).toBeUndefined();
  });

  it('ignores an @ before a line break, before a space, or too far back', () => {
    expect(findMentionQuery('@al\nlo', 6)).toBeUndefined();
    expect(findMentionQuery('@ hello', 7)).toBeUndefined();
    expect(findMentionQuery(`@${'x'.repeat(41)}`, 42)).toBeUndefined();
  });

  it('only looks before the caret', () => {
    expect(findMentionQuery('text @al', 4)).toBeUndefined();
    expect(findMentionQuery('@al and more', 3)).toEqual({ start: 0, query: 'al' });
  });
});

describe('mentionChoices', () => {
  it('offers everyone for an empty query, at most MAX_MENTION_CHOICES', () => {
    const many = Array.from({ length: 12 }, (_, index) => ({ address: `p${index}@x.org`, displayName: `P ${index}` }));
    expect(mentionChoices(many, '')).toHaveLength(MAX_MENTION_CHOICES);
    expect(mentionChoices(members, '')).toHaveLength(members.length);
  });

  it('puts names that start with the query before names with a word that does', () => {
    const found = mentionChoices([alex, anaLopez, ana, { address: 'x@x.org', displayName: 'Maria Anand' }], 'an');
    expect(found.map((member) => member.displayName)).toEqual(['Ana', 'Ana Lopez', 'Maria Anand']);
  });

  it('ignores case and accents', () => {
    expect(mentionChoices(members, 'ELO')).toEqual([elodie]);
  });

  it('finds a later word of the name, and the address', () => {
    expect(mentionChoices(members, 'dub')).toEqual([sam]);
    expect(mentionChoices(members, 'ana.l')).toEqual([anaLopez]);
  });

  it('offers nobody when no one matches (the list closes)', () => {
    expect(mentionChoices(members, 'zz')).toEqual([]);
  });
});

describe('openMentionList', () => {
  it('offers the members for the @ at the caret', () => {
    expect(openMentionList(members, 'hi @sa', 6, undefined).choices).toEqual([sam]);
  });

  it('stays closed for an @ dismissed with Escape, and opens for the next @', () => {
    expect(openMentionList(members, 'hi @sa', 6, 3).choices).toEqual([]);
    expect(openMentionList(members, 'hi @sa @k', 9, 3).query).toEqual({ start: 7, query: 'k' });
  });

  it('does not offer “Ana Lopez” again right after “@Ana ” was picked', () => {
    const text = '@Ana ';
    expect(mentionChoices(members, 'Ana ')).toEqual([anaLopez]); // what an open list would offer
    expect(openMentionList(members, text, text.length, 0).choices).toEqual([]);
  });
});

describe('insertMention', () => {
  it('replaces the query with @Display Name and a space, and puts the caret after it', () => {
    const text = 'Hi @al';
    const query = findMentionQuery(text, text.length);
    if (!query) throw new Error('no query');
    expect(insertMention(text, query, text.length, alex)).toEqual({ text: 'Hi @Alex Martin ', caret: 16 });
  });

  it('keeps the text after the caret, without doubling the space', () => {
    const text = '@s and the rest';
    const query = findMentionQuery(text, 2);
    if (!query) throw new Error('no query');
    expect(insertMention(text, query, 2, sam)).toEqual({ text: '@Sam Dubois and the rest', caret: 12 });
  });
});

describe('mentionsInText: what goes with the message', () => {
  it('passes the picked members whose @Name is still in the text', () => {
    expect(mentionsInText('@Alex Martin and @Sam Dubois, see this', [alex, sam])).toEqual([alex.address, sam.address]);
  });

  it('drops a member whose name was deleted or changed after picking', () => {
    expect(mentionsInText('@Alex Mar see this', [alex])).toEqual([]);
    expect(mentionsInText('see this', [alex, sam])).toEqual([]);
  });

  it('does not take "@Ana" inside "@Anabel" for a mention', () => {
    expect(mentionsInText('@Anabel hi', [ana])).toEqual([]);
    expect(mentionsInText('@Ana, hi', [ana])).toEqual([ana.address]);
  });

  it('mentions nobody who was not picked, whatever is typed', () => {
    expect(mentionsInText('@Alex Martin', [])).toEqual([]);
  });

  it('lists a member picked twice once', () => {
    expect(mentionsInText('@Ana @Ana', [ana, ana])).toEqual([ana.address]);
  });
});

describe('mentionSegments: marking a received message', () => {
  it('cuts the @Name of each mentioned member out of the text', () => {
    expect(mentionSegments('Hi @Alex Martin, and @Sam Dubois!', [alex, sam])).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'mention', text: '@Alex Martin', address: alex.address },
      { kind: 'text', text: ', and ' },
      { kind: 'mention', text: '@Sam Dubois', address: sam.address },
      { kind: 'text', text: '!' },
    ]);
  });

  it('prefers the longer name where two overlap', () => {
    expect(mentionSegments('@Ana Lopez', [ana, anaLopez])).toEqual([
      { kind: 'mention', text: '@Ana Lopez', address: anaLopez.address },
    ]);
  });

  it('leaves a text without mentions whole', () => {
    expect(mentionSegments('no one here', [alex])).toEqual([{ kind: 'text', text: 'no one here' }]);
  });
});

describe('mentionKeyAction: the keyboard in the open list', () => {
  it('moves down and up, wrapping at both ends', () => {
    expect(mentionKeyAction('ArrowDown', false, 0, 3)).toEqual({ kind: 'move', active: 1 });
    expect(mentionKeyAction('ArrowDown', false, 2, 3)).toEqual({ kind: 'move', active: 0 });
    expect(mentionKeyAction('ArrowUp', false, 0, 3)).toEqual({ kind: 'move', active: 2 });
  });

  it('picks the active member with Enter or Tab', () => {
    expect(mentionKeyAction('Enter', false, 1, 3)).toEqual({ kind: 'pick', index: 1 });
    expect(mentionKeyAction('Tab', false, 2, 3)).toEqual({ kind: 'pick', index: 2 });
  });

  it('leaves Shift+Enter (a new line) and Shift+Tab (going back) to the field', () => {
    expect(mentionKeyAction('Enter', true, 0, 3)).toEqual({ kind: 'none' });
    expect(mentionKeyAction('Tab', true, 0, 3)).toEqual({ kind: 'none' });
  });

  it('closes with Escape, and leaves every other key to the text', () => {
    expect(mentionKeyAction('Escape', false, 0, 3)).toEqual({ kind: 'close' });
    expect(mentionKeyAction('a', false, 0, 3)).toEqual({ kind: 'none' });
  });

  it('does nothing while the list is empty (Enter sends as usual)', () => {
    expect(mentionKeyAction('Enter', false, 0, 0)).toEqual({ kind: 'none' });
  });

  it('walks a whole flow: type @a, go down, pick, and only the picked member is mentioned', () => {
    let text = 'Hello @a';
    const query = findMentionQuery(text, text.length);
    if (!query) throw new Error('no query');
    const choices = mentionChoices(members, query.query);
    expect(choices.map((member) => member.displayName)).toEqual(['Alex Martin', 'Ana', 'Ana Lopez']);
    let active = 0;
    const down = mentionKeyAction('ArrowDown', false, active, choices.length);
    if (down.kind === 'move') active = down.active;
    const pick = mentionKeyAction('Enter', false, active, choices.length);
    expect(pick).toEqual({ kind: 'pick', index: 1 });
    const picked = choices[active];
    if (!picked) throw new Error('nothing picked');
    text = insertMention(text, query, text.length, picked).text + 'are you there?';
    expect(text).toBe('Hello @Ana are you there?');
    expect(mentionsInText(text, [picked])).toEqual([ana.address]);
  });
});
