/**
 * MessageSearch (message-search.ts) as the page uses it: messages found by their words, accents
 * and case folded; an edit replaces, a deleted or expired message is no longer found; the
 * conversation filter; ranking; bad queries find nothing without throwing; and a 1,000-message
 * history agrees with a linear scan.
 */
import { MessageSearch } from '../../../src/messenger/search/message-search';
import { searchTokens } from '../../../src/messenger/search/search-text';
import { MapVault } from '../map-vault';
import {
  BOB,
  changes,
  CONV_A,
  CONV_B,
  ENGLISH_WORDS,
  FRENCH_WORDS,
  idsOf,
  message,
  searchKeys,
  seeded,
  storeMessages,
} from './search-fixtures';

/** An index built over an empty vault, ready for apply. */
async function ready(now: () => number = () => 10_000): Promise<{ vault: MapVault; search: MessageSearch }> {
  const vault = new MapVault();
  const search = await MessageSearch.open(vault, { now });
  await search.build(vault, []);
  return { vault, search };
}

describe('MessageSearch', () => {
  it('finds an added message by any of its words, accents and case folded', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'L’élève arrive cet été avec le cœur léger')]));
    for (const query of ['élève', 'ELEVE', 'eleve', 'ete', 'l’été', 'coeur', 'Cœur', 'léger arrive']) {
      expect(idsOf(search.search(query))).toEqual(['m1']);
    }
    expect(search.search('eleve')[0]).toMatchObject({ conversationId: CONV_A, messageId: 'm1', sentAt: 1_000 });
    expect(search.search('coeur')[0]?.matches).toEqual(['coeur']);
  });

  it('requires every term, treats the last one as a prefix, and forgives a typo in long terms', async () => {
    const { search } = await ready();
    await search.apply(
      changes([
        message(CONV_A, 'm1', 'rendez-vous demain pour le budget'),
        message(CONV_A, 'm2', 'le budget est validé'),
        message(CONV_A, 'm3', 'bonjour à tous'),
      ]),
    );
    expect(idsOf(search.search('budget rendez')).sort()).toEqual(['m1']);
    expect(idsOf(search.search('budg')).sort()).toEqual(['m1', 'm2']);
    expect(idsOf(search.search('bonjoir'))).toEqual(['m3']);
    // Short terms are not fuzzy: "tuos" is not "tous"; nor is a last term under 3 letters a prefix.
    expect(search.search('tuos')).toEqual([]);
    expect(search.search('bu')).toEqual([]);
  });

  it('ignores common words beside others, and still finds them alone', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'budget validé'), message(CONV_A, 'm2', 'le chat dort')]));
    expect(idsOf(search.search('le budget validé'))).toEqual(['m1']);
    expect(idsOf(search.search('le'))).toEqual(['m2']);
  });

  it('finds a file by its name and a message by its sender, the sender below the words', async () => {
    const { search } = await ready();
    await search.apply(
      changes([
        message(CONV_A, 'file', undefined, {
          attachment: { name: 'Facture-Décembre.pdf', type: 'application/pdf', size: 10, state: 'stored' },
        }),
        message(CONV_A, 'from-bob', 'voici le document', { sender: BOB }),
        message(CONV_A, 'about-bob', 'il faut demander à Durand'),
      ]),
    );
    expect(idsOf(search.search('facture decembre'))).toEqual(['file']);
    expect(idsOf(search.search('durand'))).toEqual(['about-bob', 'from-bob']);
  });

  it('does not index system lines nor messages without words', async () => {
    const { vault, search } = await ready();
    const before = searchKeys(vault);
    await search.apply(
      changes([
        message(CONV_A, 'sys', undefined, { system: { type: 'member_left', member: 'alice martin' } }),
        message(CONV_A, 'blank', '   '),
      ]),
    );
    expect(search.search('alice')).toEqual([]);
    expect(search.documentCount).toBe(0);
    expect(searchKeys(vault)).toEqual(before);
  });

  it('replaces a message upserted with new text: the old words no longer find it', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'réunion lundi')]));
    await search.apply(changes([message(CONV_A, 'm1', 'réunion mardi')]));
    expect(search.search('lundi')).toEqual([]);
    expect(idsOf(search.search('mardi'))).toEqual(['m1']);
    expect(search.documentCount).toBe(1);
  });

  it('journals nothing for a rewrite that changes no indexed field (a delivery status)', async () => {
    const { vault, search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'réunion lundi')]));
    const before = searchKeys(vault);
    await search.apply(changes([message(CONV_A, 'm1', 'réunion lundi', { status: 'delivered' })]));
    expect(searchKeys(vault)).toEqual(before);
  });

  it('no longer finds a deleted message, nor one upserted without its words', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'château fort'), message(CONV_A, 'm2', 'château de sable')]));
    await search.apply(changes([], [[CONV_A, 'm1']]));
    await search.apply(changes([message(CONV_A, 'm2', undefined)]));
    expect(search.search('chateau')).toEqual([]);
    expect(search.documentCount).toBe(0);
  });

  it('never indexes a disappearing message: its words must not outlive it in the journal or the snapshot', async () => {
    const { search, vault } = await ready();
    await search.apply(
      changes([
        message(CONV_A, 'soon', 'secret éphémère', { expiresAt: 20_000 }),
        message(CONV_A, 'kept', 'secret gardé'),
      ]),
    );
    expect(idsOf(search.search('secret'))).toEqual(['kept']);
    expect(idsOf(search.search('ephemere'))).toEqual([]);
    expect(search.documentCount).toBe(1);
    // Nothing of it was written: no stored record holds its words.
    expect(JSON.stringify([...vault.records.values()])).not.toContain('éphémère');
  });

  it('forgets the words of a message deleted for everyone at once: no snapshot or journal record keeps them', async () => {
    const { search, vault } = await ready();
    await search.apply(changes([message(CONV_A, 'gone', 'zanzibar confidentiel'), message(CONV_A, 'kept', 'rapport')]));
    expect(JSON.stringify([...vault.records.values()])).toContain('zanzibar');
    await search.apply(changes([message(CONV_A, 'gone', undefined, { deletedAt: 11_000 })]));
    expect(search.search('zanzibar')).toEqual([]);
    expect(idsOf(search.search('rapport'))).toEqual(['kept']);
    expect(JSON.stringify([...vault.records.values()])).not.toContain('zanzibar');
  });

  it('keeps to one conversation when asked', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'a1', 'forêt noire'), message(CONV_B, 'b1', 'forêt verte')]));
    expect(idsOf(search.search('foret', { conversationId: CONV_B }))).toEqual(['b1']);
    expect(search.search('foret', { conversationId: CONV_B })[0]?.conversationId).toBe(CONV_B);
    expect(idsOf(search.search('foret')).sort()).toEqual(['a1', 'b1']);
    expect(search.search('foret', { conversationId: 'unknown/with-separator' })).toEqual([]);
  });

  it('ranks by score, ties newest first, and returns at most `limit` hits', async () => {
    const { search } = await ready();
    await search.apply(
      changes([
        message(CONV_A, 'old', 'projet alpha', { sentAt: 1_000 }),
        message(CONV_A, 'new', 'projet alpha', { sentAt: 3_000 }),
        message(CONV_A, 'mid', 'projet alpha', { sentAt: 2_000 }),
        message(CONV_A, 'long', 'projet alpha et bien d’autres choses encore à dire', { sentAt: 4_000 }),
      ]),
    );
    expect(idsOf(search.search('projet alpha'))).toEqual(['new', 'mid', 'old', 'long']);
    expect(idsOf(search.search('projet', { limit: 2 }))).toEqual(['new', 'mid']);
    expect(search.search('projet', { limit: 0 })).toEqual([]);
  });

  it('finds nothing for bad queries without throwing: empty, blank, punctuation only, 10,000 characters', async () => {
    const { search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'budget validé')]));
    const random = seeded(7);
    const noise = Array.from({ length: 10_000 }, () => String.fromCharCode(32 + Math.floor(random() * 0xd000))).join(
      '',
    );
    for (const query of ['', '   ', '?!…;:', '\u0000\uFFFF', 'a', noise, 'x'.repeat(10_000)]) {
      expect(() => search.search(query)).not.toThrow();
      if (query !== noise) expect(search.search(query)).toEqual([]);
    }
    // A long query is cut to its first 200 characters: the words there still count.
    expect(idsOf(search.search(`budget ${'z'.repeat(10_000)}`))).toEqual([]);
    expect(idsOf(search.search(`budget valide ${' '.repeat(10_000)}`))).toEqual(['m1']);
  });

  it('does nothing after forgetAll: search finds nothing, apply writes nothing', async () => {
    const { vault, search } = await ready();
    await search.apply(changes([message(CONV_A, 'm1', 'budget')]));
    const before = searchKeys(vault);
    search.forgetAll();
    expect(search.search('budget')).toEqual([]);
    await search.apply(changes([message(CONV_A, 'm2', 'budget')]));
    await search.build(vault, [CONV_A]);
    expect(searchKeys(vault)).toEqual(before);
  });

  it('agrees with a linear scan over a 1,000-message history', async () => {
    const vault = new MapVault();
    const random = seeded(42);
    const words = [...FRENCH_WORDS, ...ENGLISH_WORDS];
    const pick = () => words[Math.floor(random() * words.length)] as string;
    const messages = Array.from({ length: 1_000 }, (_, i) =>
      message(i % 2 ? CONV_A : CONV_B, `m${i}`, Array.from({ length: 3 + Math.floor(random() * 12) }, pick).join(' '), {
        sentAt: 1_000 + i,
      }),
    );
    await storeMessages(vault, messages);
    const search = await MessageSearch.open(vault, { now: () => 0 });
    expect(search.needsBuild).toBe(true);
    await search.build(vault, [CONV_A, CONV_B]);
    expect(search.needsBuild).toBe(false);
    expect(search.documentCount).toBe(1_000);
    for (const word of ['cœur', 'réunion', 'deadline', 'Noël', 'naïf']) {
      const [term] = searchTokens(word);
      const expected = messages.filter((m) => searchTokens(m.text ?? '').includes(term as string)).map((m) => m.id);
      const hits = search.search(word, { limit: 500 });
      // Every message with the word is found; anything else found matched a longer term or a typo.
      expect(idsOf(hits)).toEqual(expect.arrayContaining(expected));
      for (const hit of hits) expect(hit.matches.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThan(500);
    }
  });
});
