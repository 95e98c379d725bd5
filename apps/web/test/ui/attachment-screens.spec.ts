/**
 * Files and photos as the server renders them (no effects run, so no worker call and no object
 * URL): the composer's Attach control, the drop zone, and a file's card in each state, with the
 * progress of an emitted event, the controls of each state, the thumbnail's text alternative, and
 * the sentence for a problem. In English, and the French texts beside them.
 */
import { createElement } from 'react';
import type { ConversationView, MemberView, MessageView } from '../../src/messenger/api';
import type { AttachmentView } from '../../src/messenger/attachment-api';
import { translatorFor } from '../../src/i18n';
import { AttachmentCard } from '../../src/ui/main/attachment-card';
import { AttachmentDropOverlay } from '../../src/ui/main/attachment-drop-zone';
import { AttachmentProgressStore } from '../../src/ui/main/attachment-progress';
import { Composer } from '../../src/ui/main/composer';
import { MessageList } from '../../src/ui/main/message-list';
import { renderScreen } from './render-screen';
import { conversationView } from './view-fixtures';

const self: MemberView = { address: 'me@example.org', displayName: 'Dominique', devices: [], isSelf: true };
const ann: MemberView = { address: 'ann@example.org', displayName: 'Ann', devices: [], isSelf: false };
const conversation: ConversationView = conversationView({
  id: 'c1',
  kind: 'direct',
  title: 'Ann',
  members: [self, ann],
});

const REPORT: AttachmentView = {
  name: 'Quarterly report for the board, final version.pdf',
  type: 'application/pdf',
  size: 2.5 * 1024 * 1024,
  state: 'stored',
};
const PHOTO: AttachmentView = {
  name: 'site visit.jpg',
  type: 'image/jpeg',
  size: 3 * 1024 * 1024,
  state: 'stored',
  thumbnail: { data: new Uint8Array([0xff, 0xd8]), type: 'image/jpeg', width: 320, height: 240 },
};

function fileMessage(attachment: Partial<AttachmentView>, fields: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    conversationId: 'c1',
    mine: false,
    sender: { address: ann.address, displayName: 'Ann', deviceId: 'd1' },
    sentAt: Date.UTC(2027, 0, 4, 9),
    receivedAt: Date.UTC(2027, 0, 4, 9),
    attachment: { ...REPORT, ...attachment },
    ...fields,
  };
}

const list = (...messages: MessageView[]) => renderScreen(createElement(MessageList, { conversation, messages }));

/** A card with a progress store that has had `events` (a transfer's progress, as the worker emits it). */
function card(attachment: Partial<AttachmentView>, ...steps: [done: number, total: number][]): string {
  const progress = new AttachmentProgressStore('c1');
  for (const [done, total] of steps)
    progress.onEvent({ type: 'attachment_progress', conversationId: 'c1', messageId: 'm1', done, total });
  return renderScreen(
    createElement(AttachmentCard, {
      message: { id: 'm1', conversationId: 'c1' },
      attachment: { ...REPORT, ...attachment },
      progress,
    }),
  );
}

/** The opening tag of the element with `data-testid="<id>"`, or undefined. */
const tag = (html: string, testId: string) => new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0];

describe('the composer', () => {
  const html = renderScreen(createElement(Composer, { conversation }));

  it('has an Attach button, named, described (one file at a time, paste, drop, caption) and reachable by keyboard', () => {
    const button = tag(html, 'composer-attach') ?? '';
    expect(button).toMatch(/^<button type="button"/);
    expect(button).toContain('aria-label="Attach a file"');
    const describedBy = /aria-describedby="([^"]+)"/.exec(button)?.[1];
    expect(html).toContain(
      `id="${describedBy}" class="visually-hidden">One file at a time, up to 100 MB. You can also paste a file or drop it on the conversation; the text you type goes with it as its caption.</span>`,
    );
  });

  it('keeps the file input itself out of the tab order and away from screen readers (the button is the control)', () => {
    const input = tag(html, 'composer-file-input') ?? '';
    expect(input).toMatch(/type="file"/);
    expect(input).toContain('tabindex="-1"');
    expect(input).toContain('aria-hidden="true"');
    expect(input).not.toContain('multiple');
  });

  it('holds an empty status region, so that a drag of files or a file being sealed is announced when it starts', () => {
    expect(html).toMatch(/<p class="visually-hidden" role="status" data-testid="composer-status"><\/p>/);
    expect(html).not.toContain('data-testid="attachment-drop-zone"');
    expect(html).not.toContain('data-testid="composer-sealing"');
  });

  it('shows a drop zone in words while files are dragged', () => {
    const overlay = renderScreen(createElement(AttachmentDropOverlay, {}));
    expect(overlay).toContain('data-testid="attachment-drop-zone"');
    expect(overlay).toContain('<p>Drop the file to send it in this conversation</p>');
  });
});

describe('a file in a message', () => {
  it('shows an icon, the whole name (in its title too), the size and the type, and no empty caption', () => {
    const html = list(fileMessage({}));
    expect(html).toContain('class="attachment-icon"');
    expect(html).toMatch(
      /<span id="[^"]+" class="attachment-name" title="Quarterly report for the board, final version.pdf" data-testid="attachment-name">Quarterly report for the board, final version.pdf<\/span>/,
    );
    expect(html).toContain('data-testid="attachment-details">2.5 MB · PDF</span>');
    expect(html).not.toContain('class="message-text"');
  });

  it('shows the caption under the card', () => {
    expect(list(fileMessage({}, { text: 'For Thursday' }))).toContain('<p class="message-text">For Thursday</p>');
  });

  it('draws an image’s thumbnail at its size, named by the file, as a button that opens it once stored', () => {
    const html = list(fileMessage(PHOTO));
    const open = tag(html, 'attachment-open-image') ?? '';
    expect(open).toContain('aria-label="Open the image site visit.jpg"');
    const image = tag(html, 'attachment-thumbnail') ?? '';
    expect(image).toContain('width="320"');
    expect(image).toContain('height="240"');
    expect(image).toContain('alt="site visit.jpg"');
    expect(html).not.toContain('class="attachment-icon"');
  });

  it('shows the thumbnail of an image not fetched yet, but nothing to open', () => {
    const html = list(fileMessage({ ...PHOTO, state: 'available' }));
    expect(html).toContain('alt="site visit.jpg"');
    expect(html).not.toContain('data-testid="attachment-open-image"');
  });

  it('never offers to open an SVG full size, thumbnail or not (it would run as a document)', () => {
    const html = list(fileMessage({ ...PHOTO, name: 'logo.svg', type: 'image/svg+xml' }));
    expect(html).toContain('alt="logo.svg"');
    expect(html).not.toContain('data-testid="attachment-open-image"');
  });
});

describe('a file in each state', () => {
  it('uploading: a progress bar at the emitted step, the percentage in words, and Cancel', () => {
    const html = card({ state: 'uploading' }, [100, 1000], [425, 1000]);
    const bar = tag(html, 'attachment-progress') ?? '';
    expect(bar).toMatch(/^<progress /);
    expect(bar).toContain('max="100"');
    expect(bar).toContain('value="42"');
    expect(bar).toContain('aria-label="Sending Quarterly report for the board, final version.pdf"');
    expect(html).toContain('data-testid="attachment-progress-text">Sending… 42%</span>');
    const cancel = tag(html, 'attachment-cancel') ?? '';
    const nameId = /<span id="([^"]+)" class="attachment-name"/.exec(html)?.[1];
    expect(cancel).toContain(`aria-describedby="${nameId}"`);
    expect(html).toMatch(/data-testid="attachment-cancel"[^>]*>Cancel<\/button>/);
  });

  it('uploading before the first event: an indeterminate bar (no value) and no made-up percentage', () => {
    const html = card({ state: 'uploading' });
    expect(tag(html, 'attachment-progress')).not.toContain('value=');
    expect(html).toContain('data-testid="attachment-progress-text">Sending…</span>');
  });

  it('downloading: its own words, and Cancel', () => {
    const html = card({ state: 'downloading' }, [1, 4]);
    expect(html).toContain('data-testid="attachment-progress-text">Downloading… 25%</span>');
    expect(html).toContain('aria-label="Downloading Quarterly report for the board, final version.pdf"');
    expect(html).toContain('data-testid="attachment-cancel"');
  });

  it('available: Download with the size, and no progress bar', () => {
    const html = card({ state: 'available' });
    expect(html).toMatch(/data-testid="attachment-download"[^>]*>.*Download \(2.5 MB\)<\/button>/);
    expect(html).not.toContain('data-testid="attachment-progress"');
    expect(html).not.toContain('data-testid="attachment-save"');
  });

  it.each(['stored', 'sent'] as const)('%s: Save', (state) => {
    const html = card({ state });
    expect(html).toMatch(/data-testid="attachment-save"[^>]*>.*Save<\/button>/);
    expect(html).not.toContain('data-testid="attachment-download"');
  });

  it('expired: says the file is gone from the server, with nothing to click', () => {
    const html = card({ state: 'expired' });
    expect(html).toContain('That file is no longer on the server: ask the sender to send it again.');
    expect(html).not.toMatch(/data-testid="attachment-(save|download|cancel)"/);
  });

  it('failed: says why, by its problem code; an unknown (malformed) code reads as a general failure', () => {
    expect(card({ state: 'failed', problem: 'attachment_invalid' })).toContain(
      'That file did not pass its integrity check and was not kept.',
    );
    expect(card({ state: 'failed', problem: 'storage_full' })).toContain('There is no room left for files');
    expect(card({ state: 'failed', problem: 'no such code' })).toContain('Something went wrong. Please try again.');
  });
});

describe('in French', () => {
  const t = translatorFor('fr');

  it('says every control and state', () => {
    expect(t('composer.attach')).toBe('Joindre un fichier');
    expect(t('composer.drop-here')).toBe('Déposez le fichier pour l’envoyer dans cette conversation');
    expect(t('attachment.download', { size: '2,5 Mo' })).toBe('Télécharger (2,5 Mo)');
    expect(t('attachment.save')).toBe('Enregistrer');
    expect(t('attachment.uploading')).toBe('Envoi…');
    expect(t('attachment.open-image', { name: 'visite.jpg' })).toBe('Ouvrir l’image visite.jpg');
  });

  it('counts refused files by French plural rules', () => {
    expect(t('composer.attach-one', { count: 1 })).toBe('Envoyez un fichier à la fois.');
    expect(t('composer.attach-one', { count: 3 })).toBe(
      'Envoyez un fichier à la fois : ces 3 fichiers n’ont pas été envoyés.',
    );
  });
});
