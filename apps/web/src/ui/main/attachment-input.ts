/**
 * Which file a person means to send, from the three ways a file reaches the composer: the file
 * picker, a paste and a drop. One file at a time (each file is its own message, its own upload and
 * its own Cancel); several at once are refused with a sentence rather than half-sent.
 */

/** What the composer does with what arrived. */
export type PickedFiles =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly file: File }
  | { readonly kind: 'several'; readonly count: number };

/** The part of a DataTransfer (clipboard or drag) these functions read. */
export interface FileCarrier {
  readonly files: ArrayLike<File>;
  readonly types: ReadonlyArray<string> | ArrayLike<string>;
}

/** The files of a picker, a paste or a drop, as one, several or none. */
export function pickedFiles(files: ArrayLike<File> | null | undefined): PickedFiles {
  const count = files?.length ?? 0;
  const first = files?.[0];
  if (count === 0 || !first) return { kind: 'none' };
  return count === 1 ? { kind: 'one', file: first } : { kind: 'several', count };
}

const typesOf = (carrier: Pick<FileCarrier, 'types'>): string[] => Array.from(carrier.types);

/** A drag that carries files (not text or a link dragged from the page): the drop zone shows for it. */
export function carriesFiles(carrier: Pick<FileCarrier, 'types'> | null | undefined): boolean {
  return carrier !== null && carrier !== undefined && typesOf(carrier).includes('Files');
}

/**
 * The files of a paste, or none when the paste is text. Office suites and web pages put a picture
 * of the selection beside its text (cells copied from a spreadsheet arrive as an image too); a
 * paste that carries HTML is therefore text, and goes into the message as typed words would. A
 * screenshot or a file copied in a file manager carries no HTML and is sent as a file.
 */
export function pastedFiles(clipboard: FileCarrier | null | undefined): PickedFiles {
  if (!clipboard || typesOf(clipboard).includes('text/html')) return { kind: 'none' };
  return pickedFiles(clipboard.files);
}

/** The files of a drop (none for dropped text or links). */
export function droppedFiles(transfer: FileCarrier | null | undefined): PickedFiles {
  return transfer && carriesFiles(transfer) ? pickedFiles(transfer.files) : { kind: 'none' };
}
