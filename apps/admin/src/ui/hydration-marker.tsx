'use client';
import { useEffect } from 'react';

/**
 * Marks the page `<html data-hydrated>` once React has attached its event handlers. Until then a
 * click on a server-rendered button does nothing (and a form submits natively), so browser tests
 * wait for this mark instead of for time; people never see it.
 */
export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
