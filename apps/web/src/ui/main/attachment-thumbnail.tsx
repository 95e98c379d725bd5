import { useEffect, useMemo, useState } from 'react';
import type { AttachmentThumbnailView } from '../../messenger/attachment-api';

/**
 * An object URL for `blob` while the component is mounted, revoked when it unmounts or the blob
 * changes (undefined until the effect has run: the server renders no URL, and no URL leaks).
 */
export function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string | undefined>();
  useEffect(() => {
    if (!blob) return;
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made);
      setUrl(undefined);
    };
  }, [blob]);
  return url;
}

/**
 * The sender's small picture of an image, drawn at the size it was made (its width and height
 * reserve the space before it loads, so the list does not jump). The type is one of the two the
 * worker accepts for thumbnails (image/webp, image/jpeg).
 */
export function AttachmentThumbnail({ thumbnail, name }: { thumbnail: AttachmentThumbnailView; name: string }) {
  // A copy (16 KiB at most) types the bytes as a BlobPart whatever buffer the view arrived in.
  const blob = useMemo(() => new Blob([new Uint8Array(thumbnail.data)], { type: thumbnail.type }), [thumbnail]);
  const url = useObjectUrl(blob);
  return (
    <img
      className="attachment-thumbnail"
      data-testid="attachment-thumbnail"
      {...(url ? { src: url } : {})}
      width={thumbnail.width}
      height={thumbnail.height}
      alt={name}
      decoding="async"
    />
  );
}
